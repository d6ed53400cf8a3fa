package io.vectorflow.server.auth;

import java.util.Map;

/**
 * Who a request acts as: the key that authenticated it, the tenant whose collections it sees, its
 * role, and, when the key is limited to named collections, the role it has on each of them.
 *
 * @param keyId       the key's id (never the key itself), {@code "anonymous"} when no keys are configured
 * @param tenant      the tenant whose collections the request sees
 * @param role        what the key may do
 * @param collections empty: the role applies to every collection of the tenant; otherwise only
 *                    these collections are visible, each with its own role (at most {@code role})
 */
public record Principal(String keyId, String tenant, Role role, Map<String, Role> collections) {

    /** Every request of a server without keys (which only listens on loopback). */
    public static final Principal LOCAL = new Principal("anonymous", io.vectorflow.engine.Database.DEFAULT_TENANT, Role.ADMIN, Map.of());

    public Principal {
        collections = Map.copyOf(collections);
    }

    /** Whether this principal may do {@code access} on {@code collection} (null: on no collection in particular). */
    public boolean allows(Access access, String collection) {
        if (!role.allows(access)) {
            return false;
        }
        if (collections.isEmpty() || access == Access.PUBLIC || access == Access.KEYED) {
            return true;
        }
        if (collection == null) { // a key limited to named collections reads listings (filtered), changes nothing else
            return access == Access.READ;
        }
        Role r = collections.get(collection);
        return r != null && r.allows(access);
    }

    /** Whether {@code collection} shows up for this principal in listings. */
    public boolean sees(String collection) {
        return collections.isEmpty() || collections.containsKey(collection);
    }
}
