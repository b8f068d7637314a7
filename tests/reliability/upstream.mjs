// The tenants' far end for the isolation and secrets sections: webhook receiver, the generic HTTP
// connection's API (GET answers an account: {"data":{"account":{"id":…}}}), a Teams Workflows URL
// (202, as Microsoft's documented answer to a post) and the product bridge's callback. Listens on
// 127.0.0.1:UPSTREAM_PORT until killed; answers every request, records nothing.
import { createServer } from "node:http";

const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    if (request.method === "GET") return response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ data: { account: { id: "acct_upstream" } }, items: [] }));
    if (request.url.includes("/workflows/")) return response.writeHead(202).end();
    response.writeHead(200, { "Content-Type": "application/json" }).end("{}");
  });
});
server.listen(Number(process.env.UPSTREAM_PORT), "127.0.0.1");
