/**
 * Recognises an image reference that points into a private Amazon ECR registry, so that the execution role can be
 * allowed to pull exactly that repository. Pure: a string in, the repository out.
 */

/** A private ECR repository, as named by an image reference. */
export interface EcrRepository {
    accountId: string;
    region: string;
    partition: string;
    /** Repository name, namespaces included (`team/app`). */
    name: string;
    /** `arn:<partition>:ecr:<region>:<account>:repository/<name>`: the resource of the pull actions. */
    arn: string;
}

/**
 * `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag][@sha256:digest]`. Repository names are
 * lowercase path components separated by `/`, each made of letters and digits joined by `.`, `_` or `-` (AWS ECR
 * 'CreateRepository', repositoryName); tags are up to 128 characters and cannot start with `.` or `-`.
 */
const PRIVATE_ECR =
    /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d)\.amazonaws\.com(\.cn)?\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

function partitionOf(region: string, china: boolean): string {
    if (china) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/**
 * The private ECR repository an image reference points to, or undefined for any other registry: ECR Public
 * (`public.ecr.aws`, which needs no IAM permission to pull), Docker Hub, GitHub and other registries, whose pulls
 * ECS makes without AWS credentials.
 */
export function ecrRepositoryOf(image: string): EcrRepository | undefined {
    const m = PRIVATE_ECR.exec(image);
    if (!m) return undefined;
    const [, accountId, region, china, name] = m;
    if (name.length < 2 || name.length > 256) return undefined;
    const partition = partitionOf(region, china !== undefined);
    return {
        accountId,
        region,
        partition,
        name,
        arn: `arn:${partition}:ecr:${region}:${accountId}:repository/${name}`,
    };
}
