import { z } from "zod";

export const appSecretSchema = z.strictObject({
    /** Name the services refer to; also the last part of the Secrets Manager name. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, {
        message: "is not a valid secret name; expected 1-48 lowercase letters, digits or '-', starting with a letter",
    }),
    /** What the secret is for; shown in the Secrets Manager console. */
    description: z.string().min(1).max(2048),
    /** Length of the generated value. Default 32 characters (~190 bits). */
    length: z.number().int().min(16).max(4096).default(32),
    /** Leave punctuation out of the generated value, for consumers that cannot quote it. Default false. */
    excludePunctuation: z.boolean().default(false),
});

export const secretsSchema = z.strictObject({
    /** KMS key deletion window. Default 30 days, the maximum, so a mistaken delete can be cancelled. */
    keyDeletionWindowDays: z.number().int().min(7).max(30).default(30),
    /**
     * Secrets Manager recovery window. Default 30 days. 0 deletes at once and is only for disposable stacks,
     * because a name cannot be reused during the window.
     */
    recoveryWindowDays: z
        .number()
        .int()
        .refine((v) => v === 0 || (v >= 7 && v <= 30), { message: "is not allowed; expected 0 or 7 to 30" })
        .default(30),
    /** Application secrets. Values are generated and never read from config. Default none. */
    appSecrets: z
        .array(appSecretSchema)
        .default([])
        .refine((list) => new Set(list.map((s) => s.name)).size === list.length, { message: "names a secret twice" }),
});

export type SecretsSettings = z.output<typeof secretsSchema>;
