// Minimal web service for the platform's build-context example: answers /healthz for the load balancer.
const http = require("http");

const port = Number(process.env.PORT || 8080);
const server = http.createServer((req, res) => {
    if (req.url === "/healthz") {
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end("ok\n");
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ service: "hello", path: req.url }) + "\n");
});
server.listen(port, () => console.log(`hello listening on ${port}`));
// ECS sends SIGTERM before stopping a task: finish in-flight requests, then exit.
process.on("SIGTERM", () => server.close(() => process.exit(0)));
