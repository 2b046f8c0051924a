// Opens the incident timeline page as a person would: sign in with a token, open the incident, read what it shows.
// Usage: node timeline.mjs <base-url> <token> <correlation-id> <screenshot.png>
import { chromium } from "playwright-core";

const [base, token, correlationId, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", e => errors.push(e.message));
  await page.goto(base + "/ui");
  await page.fill("#token", token);
  await page.click("#sign-in");
  await page.waitForSelector("#incidents");
  const listed = await page.locator(`a[href="#/incidents/${correlationId}"]`).count();
  await page.click(`a[href="#/incidents/${correlationId}"]`);
  await page.waitForSelector("#timeline");
  const result = {
    listed,
    detection: await page.textContent("#detection"),
    actions: await page.locator("#actions tr").allTextContents(),
    approvals: await page.locator("#approvals li").allTextContents(),
    stages: await page.locator("#timeline tr td:nth-child(2)").allTextContents(),
    errors,
  };
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
