// A real SCIM 2.0 service provider for the connector's tests: scimmy's User resource served by scimmy-routers under
// /scim/v2, users kept in memory. Usage: LOOKUP_TOKEN=… SUSPEND_TOKEN=… RESTORE_TOKEN=… node server.js [port]
// (port 0 or none: a free one). Prints "listening on http://127.0.0.1:<port>" when ready; exits when stdin closes.
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";
import {randomUUID} from "node:crypto";

const tokens = new Map([["lookup", process.env.LOOKUP_TOKEN], ["suspend", process.env.SUSPEND_TOKEN],
    ["restore", process.env.RESTORE_TOKEN]].map(([role, token]) => [token, role]));
if (tokens.has(undefined) || tokens.has("") || tokens.size !== 3) {
    console.error("set three distinct tokens in LOOKUP_TOKEN, SUSPEND_TOKEN and RESTORE_TOKEN");
    process.exit(2);
}
const users = new Map();

SCIMMY.Resources.declare(SCIMMY.Resources.User, {
    egress: ({id, filter}) => {
        if (id && !users.has(id)) throw new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
        return id ? users.get(id) : (filter ? filter.match([...users.values()]) : [...users.values()]);
    },
    ingress: ({id}, instance) => {
        if (id && !users.has(id)) throw new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
        if ([...users.values()].some(u => u.id !== id && u.userName === instance.userName))
            throw new SCIMMY.Types.Error(409, "uniqueness", `userName ${instance.userName} is taken`);
        const now = new Date().toISOString();
        const user = {...JSON.parse(JSON.stringify(instance)), id: id ?? randomUUID(),
            meta: {resourceType: "User", created: users.get(id)?.meta.created ?? now, lastModified: now}};
        users.set(user.id, user);
        return user;
    },
    degress: ({id}) => users.delete(id)
});

// Least privilege: each token may do one thing. Which is decided from the request, before scimmy acts on it.
function allowedRole({method, body}) {
    if (method === "GET") return "lookup";
    const [operation, ...more] = (method === "PATCH" && Array.isArray(body?.Operations)) ? body.Operations : [];
    if (!operation || more.length || String(operation.op).toLowerCase() !== "replace"
        || operation.path !== "active" || typeof operation.value !== "boolean") return undefined;
    return operation.value ? "restore" : "suspend";
}

const bearer = (req) => tokens.get(/^Bearer (.+)$/.exec(req.get("Authorization") ?? "")?.[1]);
const app = express();
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    // authentication: an unknown token is answered 401 by scimmy-routers
    handler: (req) => {
        if (!bearer(req)) throw new Error("Bearer token missing or not recognised");
    },
    // authorization: scimmy-routers evaluates the context before each resource operation; a throw answers its status
    context: (req) => {
        const role = bearer(req), needed = allowedRole(req);
        if (role !== needed) throw new SCIMMY.Types.Error(403, null, `The ${role} token may not ${req.method} `
            + `${req.originalUrl.split("?")[0]}${needed ? ` with this body (the ${needed} token may)` : ""}`);
        return {role};
    }
}));

// Test-only, outside the SCIM surface: create users through scimmy's own write path; forget them all.
app.post("/test/users", express.json(), async (req, res) => {
    try {
        res.status(201).send(await new SCIMMY.Resources.User().write(req.body));
    } catch (ex) {
        res.status(ex.status ?? 500).send(new SCIMMY.Messages.Error(ex));
    }
});
app.delete("/test/users", (req, res) => {
    users.clear();
    res.status(204).end();
});

const server = app.listen(Number(process.argv[2] ?? process.env.PORT ?? 0), "127.0.0.1",
    () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.stdin.on("end", () => process.exit(0)).resume();
