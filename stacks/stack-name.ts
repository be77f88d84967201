/**
 * Which stack names the program can run for. Pure: the name in, the problem out.
 *
 * The Pulumi CLI accepts 1-100 letters, digits, '-', '_' and '.' (sdk/go/common/validation, validateStackName, the
 * Pulumi Cloud's rule). The program asks more of it, because the name is part of physical AWS names: `<project>-<stack>`
 * is the Aurora cluster identifier (lowercase letters, digits and single hyphens, 63 characters with the instances'
 * `-<n>`), and it starts the names of the static-assets and access-log buckets (S3: lowercase letters, digits, '.'
 * and '-', at most 63 characters), which end with the 12-digit account id.
 */
import { ConfigIssue, PROJECT } from "./common";
import { SERVICES_COMPONENT } from "../components/fargate/naming";

/** The Pulumi CLI's rule for a stack name. */
export const PULUMI_STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** What the program accepts: lowercase letters, digits and single hyphens, starting and ending alphanumeric. */
const PROGRAM_STACK_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Stack names the CI/CD workflow cannot deploy. Each stack deploys in the GitHub environment named after it
 * (.github/workflows/ci.yml), and `preview` is the environment of the pull-request preview job: a stack of that name
 * would deploy with the preview environment's secrets and reviewers, and its deploy role would have to trust the
 * environment whose jobs run pull requests' code.
 */
export const RESERVED_STACK_NAMES: Readonly<Record<string, string>> = {
    preview:
        "is reserved: each stack deploys in the GitHub environment named after it (.github/workflows/ci.yml), and " +
        "preview is the environment of the pull-request preview job, which runs pull requests' code; a stack of that " +
        "name would deploy with that environment's secrets and reviewers, and its deploy role would trust that job",
};

/** The physical names built from the stack name whose AWS limits bound it, with a 12-digit account id. */
const ACCOUNT = "0".repeat(12);
const DERIVED_NAMES: readonly { what: string; name: (stack: string) => string; max: number }[] = [
    // EdgeCdn "edge" (index.ts): <prefix>-edge-assets-<account>.
    { what: "the static-assets bucket", name: (s) => `${PROJECT}-${s}-edge-assets-${ACCOUNT}`, max: 63 },
    // FargateService "app": <prefix>-app-alb-logs-<account>.
    {
        what: "the load balancer's access-log bucket",
        name: (s) => `${PROJECT}-${s}-${SERVICES_COMPONENT}-alb-logs-${ACCOUNT}`,
        max: 63,
    },
    // AuroraCluster: <prefix> itself, leaving room for its instances' -<n>.
    { what: "the Aurora cluster identifier", name: (s) => `${PROJECT}-${s}`, max: 60 },
];

/** The longest stack name every derived name has room for. */
export const MAX_STACK_NAME_LENGTH = Math.min(...DERIVED_NAMES.map((d) => d.max - d.name("").length));

const EXPECTED =
    `expected 1-${MAX_STACK_NAME_LENGTH} lowercase letters, digits and single hyphens, starting and ending with a ` +
    "letter or digit";

/** Why the program cannot run for `stack`, or undefined when it can. */
export function stackNameProblem(stack: string): string | undefined {
    if (!PULUMI_STACK_NAME.test(stack)) {
        return `is not a Pulumi stack name (1-100 letters, digits, '-', '_' or '.'); ${EXPECTED}`;
    }
    if (!PROGRAM_STACK_NAME.test(stack)) {
        return (
            `is a Pulumi stack name but not one this program can use: it goes into the Aurora cluster identifier and ` +
            `S3 bucket names (${PROJECT}-<stack>-...), which allow only lowercase letters, digits and single ` +
            `hyphens; ${EXPECTED}`
        );
    }
    if (stack.length > MAX_STACK_NAME_LENGTH) {
        const tooLong = DERIVED_NAMES.filter((d) => d.name(stack).length > d.max).map(
            (d) => `${d.what} ${d.name(stack).replace(ACCOUNT, "<account id>")} (${d.name(stack).length} > ${d.max})`,
        );
        return `is ${stack.length} characters long; it makes ${tooLong.join(", ")}; ${EXPECTED}`;
    }
    if (Object.hasOwn(RESERVED_STACK_NAMES, stack)) return RESERVED_STACK_NAMES[stack];
    return undefined;
}

/** The stack-name problem as a config issue, keyed `stack` (the name is not a config key but decides the same). */
export function stackNameIssues(stack: string): ConfigIssue[] {
    const message = stackNameProblem(stack);
    return message ? [{ key: "stack", value: stack, message }] : [];
}
