/** Fakes of the edge's resource types: CloudFront, WAF, ACM, Route 53 and CloudWatch Logs delivery. */
import { ACCOUNT_ID, Fake, arnFor, hex, plain, str, upperId, uuid } from "./fake-kit";

export const EDGE_FAKES: Record<string, Fake> = {
    "aws:cloudfront/distribution:Distribution": (c) => {
        const id = `E${upperId(c.urn, 13)}`;
        return {
            id,
            outputs: {
                arn: `arn:${c.partition}:cloudfront::${ACCOUNT_ID}:distribution/${id}`,
                domainName: `d${hex(c.urn, 13)}.cloudfront.net`,
                hostedZoneId: "Z2FDTNDATAQYW2",
                status: "Deployed",
            },
        };
    },
    "aws:cloudfront/vpcOrigin:VpcOrigin": (c) => {
        const id = `vo_${upperId(c.urn, 22)}`;
        return { id, outputs: { arn: `arn:${c.partition}:cloudfront::${ACCOUNT_ID}:vpcorigin/${id}` } };
    },
    "aws:wafv2/webAcl:WebAcl": (c) => {
        const id = uuid(c.urn);
        const scope = c.inputs.scope === "CLOUDFRONT" ? "global" : "regional";
        const region = scope === "global" ? "us-east-1" : c.region;
        return {
            id,
            outputs: {
                arn: arnFor(c, "wafv2", `${scope}/webacl/${str(c.inputs.name, c.name)}/${id}`, region),
                capacity: 0,
            },
        };
    },
    "aws:acm/certificate:Certificate": (c) => {
        const arn = arnFor(c, "acm", `certificate/${uuid(c.urn)}`, str(c.inputs.region, c.region));
        const names = [str(c.inputs.domainName, c.name), ...((c.inputs.subjectAlternativeNames as string[]) ?? [])];
        // ACM's DNS validation: one CNAME per name, under the name, pointing into acm-validations.aws.
        const domainValidationOptions =
            plain(c.inputs.validationMethod) === "DNS"
                ? names.map((domainName) => ({
                      domainName,
                      resourceRecordName: `_${hex(c.urn + domainName, 32)}.${domainName}.`,
                      resourceRecordType: "CNAME",
                      resourceRecordValue: `_${hex(domainName + c.urn, 32)}.${hex(c.urn, 10)}.acm-validations.aws.`,
                  }))
                : [];
        return { id: arn, outputs: { arn, status: "PENDING_VALIDATION", domainValidationOptions } };
    },
    "aws:acm/certificateValidation:CertificateValidation": (c) => ({ id: str(c.inputs.certificateArn, c.name) }),
    "aws:route53/record:Record": (c) => {
        const name = str(c.inputs.name, c.name).replace(/\.$/, "");
        return { id: `${str(c.inputs.zoneId, "Z")}_${name}_${str(c.inputs.type, "A")}`, outputs: { fqdn: name } };
    },
    "aws:cloudfront/originAccessControl:OriginAccessControl": (c) => ({
        id: `E${upperId(c.urn, 13)}`,
        outputs: { etag: `E${upperId(c.urn + "etag", 13)}` },
    }),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": (c) => ({
        id: uuid(c.urn),
        outputs: { etag: `E${upperId(c.urn + "etag", 13)}` },
    }),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (c) => ({ id: str(c.inputs.policyName, c.name) }),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": (c) => {
        const n = str(c.inputs.name, c.name);
        return { id: n, outputs: { arn: arnFor(c, "logs", `delivery-source:${n}`), service: "cloudfront" } };
    },
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (c) => {
        const n = str(c.inputs.name, c.name);
        return {
            id: n,
            outputs: { arn: arnFor(c, "logs", `delivery-destination:${n}`), deliveryDestinationType: "CWL" },
        };
    },
    "aws:cloudwatch/logDelivery:LogDelivery": (c) => {
        const id = hex(c.urn, 16);
        return { id, outputs: { arn: arnFor(c, "logs", `delivery:${id}`) } };
    },
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": (c) => ({
        id: str(c.inputs.resourceArn, c.name),
    }),
};
