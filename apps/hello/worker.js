// Minimal background worker for the platform's example: a long-running loop with no port (seed 001's job workers).
let stopping = false;
process.on("SIGTERM", () => {
    stopping = true;
});
const tick = () => {
    if (stopping) return process.exit(0);
    console.log(JSON.stringify({ worker: "hello", at: new Date().toISOString() }));
    setTimeout(tick, 30000);
};
tick();
