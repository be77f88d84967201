/**
 * Which Aurora PostgreSQL clusters the RDS Data API serves, which the IAM database users need. Plain data and checks,
 * with no Pulumi import, so the settings can report a cluster that cannot use it before anything is loaded or created.
 */

/** First minor of each Aurora PostgreSQL major with the Data API ("Supported Regions and Aurora DB engines ..."). */
export const DATA_API_FROM: Record<number, number> = { 13: 11, 14: 8, 15: 3, 16: 1, 17: 4, 18: 3 };

/**
 * Why a cluster cannot use the Data API, for the settings to report before anything is created; empty when it can.
 * The Region is not checked: most commercial Regions offer it, and a few newer ones do not (AWS keeps that table).
 */
export function dataApiProblems(engineVersion: string, instanceClass: string): string[] {
    const problems: string[] = [];
    const m = /^(\d+)\.(\d+)$/.exec(engineVersion);
    const from = m ? DATA_API_FROM[Number(m[1])] : undefined;
    if (!m || from === undefined || Number(m[2]) < from) {
        const supported = Object.entries(DATA_API_FROM)
            .map(([major, minor]) => `${major}.${minor}+`)
            .join(", ");
        problems.push(
            `engineVersion "${engineVersion}" has no RDS Data API, which creates the IAM database users; expected ${supported}`,
        );
    }
    if (/^db\.t\d/.test(instanceClass)) {
        problems.push(
            `instanceClass "${instanceClass}" is a T class, which the RDS Data API does not support; use db.serverless or an R/M class`,
        );
    }
    return problems;
}
