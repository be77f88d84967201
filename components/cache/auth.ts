/**
 * Who may talk to a Cache: RBAC users in one user group, and the application user's credential in Secrets Manager.
 *
 * ElastiCache requires every user group to hold a user named `default` (CreateUserGroup: DefaultUserRequired), which
 * is what a client that sends no user name logs in as. Here it is switched off with no commands, so only the
 * application user can log in. Valkey user groups accept only users that authenticate (password or IAM), so the
 * default user gets a password too, generated and never handed to anyone.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "crypto";
import { elasticacheId } from "./engine";
import type { CacheScope } from "./scope";

/** The access string of the `default` user: disabled, and allowed nothing even if it were enabled. */
export const DEFAULT_USER_ACCESS = "off -@all";
/** The application user's ACL when config gives none. */
export const DEFAULT_ACCESS_STRING = "on ~* &* +@all";
/** The application user's name when config gives none. */
export const DEFAULT_USER_NAME = "app";

export interface CacheAuth {
    userGroup: aws.elasticache.UserGroup;
    appUser: aws.elasticache.User;
    defaultUser: aws.elasticache.User;
    /** The application's credential: JSON `{username, password}`, encrypted with the platform key. */
    secret: aws.secretsmanager.Secret;
    /** The credential's value, which services wait for before their tasks read it. */
    secretVersion: aws.secretsmanager.SecretVersion;
}

/**
 * A password ElastiCache accepts: 16-128 characters (CreateUser refuses others), letters and digits only. Valkey and
 * Redis OSS passwords allow a few punctuation characters, but clients put them in URLs and shells too, and 64
 * alphanumeric characters already carry about 380 bits. Every argument is fixed, so the value never changes by itself.
 */
function password(parent: pulumi.Resource, name: string): random.RandomPassword {
    return new random.RandomPassword(
        name,
        { length: 64, special: false, minLower: 1, minUpper: 1, minNumeric: 1 },
        { parent },
    );
}

export function createAuth(scope: CacheScope): CacheAuth {
    const { parent, name, prefix, engine, args } = scope;
    const userName = args.userName ?? DEFAULT_USER_NAME;
    // Users and user groups carry the cluster's engine; a Valkey group then refuses users without a password.
    const defaultUser = new aws.elasticache.User(
        `${name}-default-user`,
        {
            userId: elasticacheId(prefix, "cache-default"),
            userName: "default",
            engine,
            accessString: DEFAULT_USER_ACCESS,
            authenticationMode: { type: "password", passwords: [password(parent, `${name}-default-password`).result] },
        },
        { parent },
    );
    // The id carries a hash of the user name: a new name replaces the user, and the replacement (a new id) is created
    // and put in the group before the old user is deleted; a fixed id would collide with itself.
    const nameHash = createHash("sha256").update(userName).digest("hex").slice(0, 6);
    const appPassword = password(parent, `${name}-app-password`);
    const appUser = new aws.elasticache.User(
        `${name}-app-user`,
        {
            userId: elasticacheId(prefix, `cache-app-${nameHash}`),
            userName,
            engine,
            accessString: args.accessString ?? DEFAULT_ACCESS_STRING,
            authenticationMode: { type: "password", passwords: [appPassword.result] },
        },
        { parent },
    );
    const userGroup = new aws.elasticache.UserGroup(
        `${name}-users`,
        {
            userGroupId: elasticacheId(prefix, "cache"),
            engine,
            userIds: [defaultUser.userId, appUser.userId],
        },
        { parent },
    );

    const secret = new aws.secretsmanager.Secret(
        `${name}-credentials`,
        {
            // Auto-named: a fixed name could not be reused for the whole recovery window after a delete.
            namePrefix: `${prefix}/cache-`,
            description: `Cache user and password of ${prefix}; read by the services that set cacheAccess`,
            kmsKeyId: args.kmsKeyArn,
            recoveryWindowInDays: args.recoveryWindowDays ?? 30,
        },
        { parent },
    );
    // The same generated value is the user's password and the secret's: a new value reaches both in one update, and
    // running tasks keep the old one until their next deployment.
    const secretVersion = new aws.secretsmanager.SecretVersion(
        `${name}-credentials`,
        {
            secretId: secret.id,
            secretString: pulumi.secret(
                pulumi
                    .all([appUser.userName, appPassword.result])
                    .apply(([user, pass]) => JSON.stringify({ username: user, password: pass })),
            ),
        },
        { parent },
    );
    return { userGroup, appUser, defaultUser, secret, secretVersion };
}
