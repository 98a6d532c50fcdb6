package org.hipoa.local.iam;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A resource-policy statement's Principal (or NotPrincipal): {@code "*"}, or {@code {AWS: …}} with account IDs,
 * account root ARNs or role/user ARNs, {@code {Service: …}}, {@code {Federated: …}}, {@code {CanonicalUser: …}}.
 * The local stack's callers are IAM roles, users and roots, so Service, Federated and CanonicalUser entries never
 * name one of them.
 */
record Principals(boolean everyone, List<String> accounts, List<String> arns) {

    /**
     * SPECIFIC: the statement names the caller itself (or everyone), so in the caller's own account its Allow grants
     * on its own. ACCOUNT: it names the caller's account, which only delegates to that account's IAM policies
     * (IAM user guide, "AWS JSON policy elements: Principal", AWS account principals).
     */
    enum Match { NONE, ACCOUNT, SPECIFIC }

    static Principals parse(JsonNode n, String at) {
        if (n.isTextual()) {
            if (!n.asText().equals("*")) throw new PolicyException(at + ": a Principal string can only be \"*\"");
            return new Principals(true, List.of(), List.of());
        }
        if (!n.isObject() || n.isEmpty()) throw new PolicyException(at + ": Principal must be \"*\" or an object");
        boolean everyone = false;
        List<String> accounts = new ArrayList<>();
        List<String> arns = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            List<String> values = PolicyDocument.strings(e.getValue(), at + " Principal " + e.getKey());
            switch (e.getKey()) {
                case "AWS" -> {
                    for (String v : values) {
                        if (v.equals("*")) everyone = true;
                        else if (v.matches("\\d{12}")) accounts.add(v);
                        else if (v.matches("arn:[a-z-]+:iam::\\d{12}:root")) accounts.add(v.split(":")[4]);
                        else if (v.startsWith("arn:") && v.indexOf('*') < 0 && v.indexOf('?') < 0) arns.add(v);
                        else throw new PolicyException(at + ": not a valid AWS principal: '" + v + "'");
                    }
                }
                case "Service", "Federated", "CanonicalUser" -> { } // never one of the local stack's callers
                default -> throw new PolicyException(at + ": unknown principal type '" + e.getKey() + "'");
            }
        }
        return new Principals(everyone, List.copyOf(accounts), List.copyOf(arns));
    }

    Match match(LocalPrincipal caller) {
        if (everyone || arns.contains(caller.principalArn()) || arns.contains(caller.callerArn())) return Match.SPECIFIC;
        return accounts.contains(caller.account()) ? Match.ACCOUNT : Match.NONE;
    }

    /**
     * NotPrincipal exempts a caller only if every identity in its chain is listed: the account, the role (or user)
     * and the role session (IAM user guide, "AWS JSON policy elements: NotPrincipal": with Deny, list the account
     * and, for a role, both the role and its session ARN, or the exemption does not hold).
     */
    boolean excludes(LocalPrincipal caller) {
        if (everyone) return true;
        boolean account = accounts.contains(caller.account());
        boolean principal = caller.principalArn().endsWith(":root") || arns.contains(caller.principalArn());
        boolean session = caller.callerArn().equals(caller.principalArn()) || arns.contains(caller.callerArn());
        return account && principal && session;
    }
}
