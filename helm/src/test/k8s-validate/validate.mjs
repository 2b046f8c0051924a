// Validates rendered Kubernetes manifests (multi-document YAML, a file or stdin) against the Kubernetes API's
// OpenAPI schemas as packaged by kubernetes-models, offline. Prints one JSON report on stdout:
//   {"results": [{"apiVersion", "kind", "name", "status": "valid|invalid|skipped", "errors"?, "reason"?}], ...}
// Exit code: 0 every manifest valid or explicitly skipped, 1 some manifest invalid, 2 unreadable input.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// kubernetes-models has the Kubernetes API's own kinds only; these custom resources are skipped by name, so
// an unknown kind elsewhere still fails instead of passing unchecked.
const SKIPPED = new Map([
  ["monitoring.coreos.com/v1/ServiceMonitor", "a prometheus-operator CRD: kubernetes-models has no schema for it"],
]);

function modulePath(apiVersion, kind) {
  // "v1" -> kubernetes-models/v1/Kind; "apps/v1" -> kubernetes-models/apps/v1/Kind
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function validate(manifest) {
  const { apiVersion, kind } = manifest;
  const name = manifest.metadata?.name ?? "";
  const id = `${apiVersion}/${kind}`;
  if (SKIPPED.has(id)) {
    return { apiVersion, kind, name, status: "skipped", reason: SKIPPED.get(id) };
  }
  let Model;
  try {
    Model = (await import(modulePath(apiVersion, kind)))[kind];
  } catch (e) {
    return { apiVersion, kind, name, status: "invalid", errors: [`no schema for ${id}: ${e.code ?? e.message}`] };
  }
  if (typeof Model !== "function") {
    return { apiVersion, kind, name, status: "invalid", errors: [`no model class ${kind} for ${id}`] };
  }
  try {
    new Model(manifest).validate();
    return { apiVersion, kind, name, status: "valid" };
  } catch (e) {
    const errors = Array.isArray(e.errors)
      ? e.errors.map((err) => `${err.instancePath || "/"} ${err.message ?? err.keyword}`)
      : [String(e.message ?? e)];
    return { apiVersion, kind, name, status: "invalid", errors };
  }
}

async function main() {
  let text;
  try {
    text = readFileSync(process.argv[2] ?? 0, "utf8");
  } catch (e) {
    console.error(`cannot read ${process.argv[2] ?? "stdin"}: ${e.message}`);
    process.exit(2);
  }
  const results = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      results.push({ status: "invalid", errors: doc.errors.map((e) => e.message) });
      continue;
    }
    const manifest = doc.toJS();
    if (manifest == null) {
      continue; // an empty document between two "---"
    }
    if (typeof manifest !== "object" || !manifest.apiVersion || !manifest.kind) {
      results.push({ status: "invalid", errors: ["not a Kubernetes object (apiVersion and kind required)"] });
      continue;
    }
    results.push(await validate(manifest));
  }
  const count = (status) => results.filter((r) => r.status === status).length;
  const report = { results, valid: count("valid"), invalid: count("invalid"), skipped: count("skipped") };
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.invalid > 0 ? 1 : 0);
}

await main();
