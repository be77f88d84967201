/**
 * Bucket-name facts shared by the components and the settings. No Pulumi import, so the settings can check names
 * without loading the SDK.
 */

/** The 12 digits of an account id: names end with it, so their length is known before the account is. */
export const ACCOUNT_ID_LENGTH = 12;
