import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SiteDomainArgs {
    /**
     * The site's public host name (the distribution's alternate domain name). Required: the certificates and records
     * are for it.
     */
    siteName: string;
    /**
     * The name CloudFront uses towards the load balancer, which the load balancer's certificate covers. Required when
     * `originCertificate` is true.
     */
    originHostName: string;
    /**
     * A public Route 53 hosted zone of this account: the certificates are validated in it (DNS validation never
     * expires and renews by itself). Default none: both certificates must then be given.
     */
    hostedZoneId?: string;
    /** A certificate in us-east-1 covering `siteName`. Default: one issued here and validated in `hostedZoneId`. */
    viewerCertificateArn?: pulumi.Input<string>;
    /**
     * Whether the load balancer needs a certificate (it has an HTTPS listener). Default false: a stack without web
     * services has no load balancer.
     */
    originCertificate?: boolean;
    /** A certificate in the stack's region covering `originHostName`. Default: one issued here, when needed. */
    originCertificateArn?: pulumi.Input<string>;
    /**
     * A provider for us-east-1, where CloudFront takes its viewer certificate from (AWS CloudFront 'Requirements for
     * using SSL/TLS certificates with CloudFront'). Required.
     */
    globalProvider: aws.Provider;
}

/**
 * The site's certificates, issued and DNS-validated before anything uses them: the viewer certificate in us-east-1
 * for CloudFront, and the load balancer's certificate in the stack's region for the origin host name, which is the
 * name CloudFront checks the load balancer's certificate against. Built before FargateService, whose HTTPS listener
 * needs the second one, and before EdgeCdn, which adds the site's alias records to the zone.
 *
 * The origin host name gets no DNS record because nothing resolves it: CloudFront reaches the load balancer through
 * its VPC origin (by the load balancer's ARN), and uses the name only as the TLS server name, the Host header and the
 * name the certificate must cover. (Hiding addresses is not the reason: an internal load balancer's own DNS name
 * already resolves publicly to its private addresses.)
 */
export class SiteDomain extends pulumi.ComponentResource {
    public readonly siteName: string;
    public readonly originHostName: string;
    public readonly hostedZoneId?: string;
    /** The viewer certificate, once validated (or the one given). */
    public readonly viewerCertificateArn: pulumi.Output<string>;
    /** The load balancer's certificate, once validated (or the one given); absent when none is needed. */
    public readonly originCertificateArn?: pulumi.Output<string>;

    constructor(name: string, args: SiteDomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:SiteDomain", name, {}, opts);
        if (args.hostedZoneId === undefined && args.viewerCertificateArn === undefined) {
            throw new pulumi.RunError(`SiteDomain ${name}: without hostedZoneId, viewerCertificateArn is required`);
        }
        if (args.originCertificate && args.hostedZoneId === undefined && args.originCertificateArn === undefined) {
            throw new pulumi.RunError(`SiteDomain ${name}: without hostedZoneId, originCertificateArn is required`);
        }
        if (args.siteName === args.originHostName) {
            throw new pulumi.RunError(`SiteDomain ${name}: originHostName must differ from siteName`);
        }

        this.viewerCertificateArn =
            args.viewerCertificateArn !== undefined
                ? pulumi.output(args.viewerCertificateArn)
                : this.issue(`${name}-viewer`, args.siteName, args.hostedZoneId!, args.globalProvider);
        if (args.originCertificate) {
            this.originCertificateArn =
                args.originCertificateArn !== undefined
                    ? pulumi.output(args.originCertificateArn)
                    : this.issue(`${name}-origin`, args.originHostName, args.hostedZoneId!);
        }
        this.siteName = args.siteName;
        this.originHostName = args.originHostName;
        this.hostedZoneId = args.hostedZoneId;
        this.registerOutputs({
            viewerCertificateArn: this.viewerCertificateArn,
            originCertificateArn: this.originCertificateArn,
        });
    }

    /**
     * An ACM certificate for one name, its validation record in the zone, and the validation that waits until ACM has
     * issued it. The validation's `certificateArn` is what consumers use, so nothing attaches a pending certificate.
     */
    private issue(id: string, domainName: string, zoneId: string, provider?: aws.Provider): pulumi.Output<string> {
        // The component's own provider (the stack's region) unless one is given; the record's zone is global.
        const where = provider ? { parent: this, provider } : { parent: this };
        const certificate = new aws.acm.Certificate(
            id,
            {
                domainName,
                validationMethod: "DNS",
                keyAlgorithm: "RSA_2048",
                // Public CT logging: browsers refuse certificates that are not logged.
                options: { certificateTransparencyLoggingPreference: "ENABLED" },
            },
            where,
        );
        const option = certificate.domainValidationOptions.apply((options) => {
            const found = options.find((o) => o.domainName === domainName);
            if (!found)
                throw new pulumi.RunError(`SiteDomain: ACM returned no DNS validation record for ${domainName}`);
            return found;
        });
        const record = new aws.route53.Record(
            `${id}-validation`,
            {
                zoneId,
                name: option.resourceRecordName,
                type: option.resourceRecordType,
                records: [option.resourceRecordValue],
                ttl: 300,
                // ACM gives every certificate for a name the same record, so a certificate replaced create-first
                // (the new one before the old is gone) shares it with its predecessor.
                allowOverwrite: true,
            },
            { parent: this },
        );
        const validation = new aws.acm.CertificateValidation(
            id,
            { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
            { ...where, customTimeouts: { create: "45m" } },
        );
        return validation.certificateArn;
    }
}
