import { z } from "zod";

export const appSecretSchema = z
    .strictObject({
        name: z
            .string()
            .regex(/^[a-z][a-z0-9-]{0,47}$/, {
                message:
                    "is not a valid secret name; expected 1-48 lowercase letters, digits or '-', starting with a letter",
            })
            .describe(
                "Name the services refer to (services.apps.<name>.secrets); also the last part of the Secrets " +
                    "Manager name.",
            )
            .meta({ allowed: "1-48 lowercase letters, digits or '-', starting with a letter" }),
        description: z
            .string()
            .min(1)
            .max(2048)
            .describe("What the secret is for; shown in the Secrets Manager console."),
        length: z
            .number()
            .int()
            .min(16)
            .max(4096)
            .default(32)
            .describe("Length of the generated value; 32 characters carry about 190 bits."),
        excludePunctuation: z
            .boolean()
            .default(false)
            .describe("Leave punctuation out of the generated value, for consumers that cannot quote it."),
    })
    .meta({
        refusedKeys: {
            value: "secret values are generated (random, never in config, code or state in clear) and kept in Secrets Manager; remove it",
        },
    });

export const secretsSchema = z
    .strictObject({
        keyDeletionWindowDays: z
            .number()
            .int()
            .min(7)
            .max(30)
            .default(30)
            .describe(
                "How long a scheduled deletion of the platform's KMS key can still be cancelled; 30 is the maximum.",
            ),
        recoveryWindowDays: z
            .number()
            .int()
            .refine((v) => v === 0 || (v >= 7 && v <= 30), { message: "is not allowed; expected 0 or 7 to 30" })
            .default(30)
            .describe(
                "How long a deleted secret can be restored. 0 deletes at once and is only for disposable stacks, " +
                    "because a secret's name cannot be reused during the window.",
            )
            .meta({ allowed: "0, or 7 to 30" }),
        appSecrets: z
            .array(appSecretSchema)
            .default([])
            .refine((list) => new Set(list.map((s) => s.name)).size === list.length, {
                message: "names a secret twice",
            })
            .describe("Application secrets. Their values are generated and never read from config."),
    })
    .describe("The platform's customer-managed KMS key and the application secrets it encrypts.");

export type SecretsSettings = z.output<typeof secretsSchema>;
