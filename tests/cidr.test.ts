import { strict as assert } from "assert";
import { Netmask } from "netmask";
import { TIERS, parseCidr, planSubnets } from "../stacks/cidr";

describe("CIDR plan (pure)", () => {
    const sizes = { public: 24, private: 20, isolated: 22 };

    it("gives every tier one subnet per AZ, of the requested size", () => {
        const plan = planSubnets("10.0.0.0/16", 3, sizes);
        for (const tier of TIERS) {
            assert.equal(plan[tier].length, 3);
            for (const cidr of plan[tier]) assert.equal(Number(cidr.split("/")[1]), sizes[tier]);
        }
    });

    it("keeps every subnet inside the VPC and never overlaps two subnets", () => {
        for (const [vpc, azs] of [
            ["10.0.0.0/16", 6],
            ["10.20.0.0/16", 3],
            ["172.16.0.0/17", 2],
        ] as const) {
            const all = TIERS.flatMap((t) => planSubnets(vpc, azs, sizes)[t]).map((c) => new Netmask(c));
            const block = new Netmask(vpc);
            for (const s of all) assert.ok(block.contains(s.toString()), `${s} is outside ${vpc}`);
            for (let i = 0; i < all.length; i++)
                for (let j = i + 1; j < all.length; j++)
                    assert.ok(
                        !all[i].contains(all[j].base) && !all[j].contains(all[i].base),
                        `${all[i]} overlaps ${all[j]}`,
                    );
        }
    });

    it("is deterministic and places the largest blocks first, aligned", () => {
        const plan = planSubnets("10.0.0.0/16", 2, sizes);
        assert.deepEqual(plan, planSubnets("10.0.0.0/16", 2, sizes));
        assert.deepEqual(plan.private, ["10.0.0.0/20", "10.0.16.0/20"]);
        assert.deepEqual(plan.isolated, ["10.0.32.0/22", "10.0.36.0/22"]);
        assert.deepEqual(plan.public, ["10.0.40.0/24", "10.0.41.0/24"]);
    });

    it("rejects a VPC too small for the tiers and AZs, saying how much is needed", () => {
        assert.throws(
            () => planSubnets("10.0.0.0/22", 3, { public: 26, private: 24, isolated: 26 }),
            /holds 1024 addresses but 3 AZs x 3 tiers .* need 1152/,
        );
        assert.throws(
            () => planSubnets("10.0.0.0/24", 2, sizes),
            /a \/20 private subnet cannot be carved from 10.0.0.0\/24/,
        );
    });

    it("fits exactly when the blocks fill the VPC", () => {
        const plan = planSubnets("10.0.0.0/24", 2, { public: 28, private: 26, isolated: 27 });
        assert.equal(plan.public[1], "10.0.0.208/28");
    });

    it("parses only canonical a.b.c.d/n network addresses", () => {
        assert.ok("block" in parseCidr("10.1.0.0/16"));
        assert.match((parseCidr("10.0.0.0/33") as { error: string }).error, /not a valid IPv4 CIDR/);
        assert.match((parseCidr("256.0.0.0/16") as { error: string }).error, /not a valid IPv4 CIDR/);
        assert.match((parseCidr("10.0.0.0") as { error: string }).error, /not a valid IPv4 CIDR/);
        assert.match((parseCidr("10.0.3.7/16") as { error: string }).error, /did you mean "10.0.0.0\/16"/);
    });
});
