/**
 * Services without internet egress (`apps.<name>.internetEgress: false`) reach AWS only through the VPC's endpoints:
 * the interface endpoints in aws-platform:network.interfaceEndpoints and the S3 gateway endpoint. Checks, across the
 * services and network sections, that every endpoint such a service needs at start exists and that its image can
 * come through them; a task that cannot pull its image, send its logs or read its secrets never starts.
 */
import { ConfigIssue, PROJECT } from "./common";
import type { AppSettings, ServicesSettings } from "./services-schema";

/** A private ECR image: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>…`; group 1 is the region. */
const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\//;

/**
 * The interface endpoints a service needs at start, with why: the image from ECR (the API for the token and
 * manifest, the registry for the pull; the layers come from S3 through the gateway endpoint), the awslogs driver,
 * and the container secrets, which ECS reads from Secrets Manager (the cache credential is one of them).
 */
export function endpointsNeeded(app: AppSettings): string[] {
    const needed: string[] = [];
    if (app.build !== undefined || (app.image !== undefined && ECR_IMAGE.test(app.image))) {
        needed.push("ecr.api", "ecr.dkr");
    }
    needed.push("logs");
    if (Object.keys(app.secrets).length > 0 || app.cacheAccess) needed.push("secretsmanager");
    return needed;
}

/** Every problem of the services without internet egress, under their own keys. */
export function checkInternetEgress(
    services: ServicesSettings,
    interfaceEndpoints: readonly string[],
    region: string | undefined,
): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const [name, app] of Object.entries(services.apps)) {
        if (app.internetEgress !== false) continue;
        const k = `${PROJECT}:services.apps.${name}`;
        if (app.image !== undefined) {
            const imageRegion = ECR_IMAGE.exec(app.image)?.[1];
            if (imageRegion === undefined || (region !== undefined && imageRegion !== region)) {
                issues.push({
                    key: `${k}.image`,
                    value: app.image,
                    message: `is not in ECR in the stack's region${region ? ` (${region})` : ""}, which is all a service without internetEgress can pull from; use build, or copy the image to ECR`,
                });
            }
        }
        const missing = endpointsNeeded(app).filter((e) => !interfaceEndpoints.includes(e));
        if (missing.length > 0) {
            issues.push({
                key: `${k}.internetEgress`,
                value: false,
                message: `needs the interface endpoints ${missing.join(", ")} in ${PROJECT}:network.interfaceEndpoints: without internet egress the task pulls its image, sends its logs and reads its secrets through them, or never starts`,
            });
        }
        if (app.enableExecuteCommand) {
            issues.push({
                key: `${k}.enableExecuteCommand`,
                value: true,
                message: "needs internetEgress: ECS Exec's channel (ssmmessages) has no VPC endpoint here",
            });
        }
    }
    return issues;
}
