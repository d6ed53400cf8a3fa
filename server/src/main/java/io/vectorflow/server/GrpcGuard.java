package io.vectorflow.server;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.vectorflow.server.auth.Access;
import io.vectorflow.server.auth.Authenticator;
import io.vectorflow.server.auth.Principal;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Checks every gRPC call, of both APIs, as {@link RestGuard} checks REST requests: the method's
 * rule from {@link #RULES} (a method without one is refused), the key from the metadata
 * {@code api-key} or {@code authorization: Bearer …} (UNAUTHENTICATED when required and missing
 * or wrong), and, once the request message has arrived, the collections it names against the
 * key's role and collections (PERMISSION_DENIED, before any collection is looked up). Calls that
 * change something are written to the audit log with their status code.
 */
final class GrpcGuard implements ServerInterceptor {

    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** The access rule of every method served, by full method name. */
    static final Map<String, Access> RULES = rules();

    private static Map<String, Access> rules() {
        Map<String, Access> r = new HashMap<>();
        put(r, "qdrant.Points/", Access.READ, "Get", "Search", "SearchBatch", "SearchGroups", "Scroll", "Recommend",
                "RecommendBatch", "RecommendGroups", "Discover", "DiscoverBatch", "Count", "Query", "QueryBatch", "QueryGroups",
                "Facet", "SearchMatrixPairs", "SearchMatrixOffsets");
        put(r, "qdrant.Points/", Access.WRITE, "Upsert", "Delete", "UpdateVectors", "DeleteVectors", "SetPayload",
                "OverwritePayload", "DeletePayload", "ClearPayload", "CreateFieldIndex", "DeleteFieldIndex", "UpdateBatch");
        put(r, "qdrant.Collections/", Access.READ, "Get", "List", "ListCollectionAliases", "ListAliases", "CollectionClusterInfo",
                "CollectionExists", "ListShardKeys");
        put(r, "qdrant.Collections/", Access.MANAGE, "Create", "Update", "Delete", "UpdateAliases", "UpdateCollectionClusterSetup",
                "CreateShardKey", "DeleteShardKey");
        put(r, "qdrant.Snapshots/", Access.READ, "List");
        put(r, "qdrant.Snapshots/", Access.MANAGE, "Create", "Delete");
        put(r, "qdrant.Snapshots/", Access.ADMIN, "ListFull", "CreateFull", "DeleteFull");
        put(r, "qdrant.Qdrant/", Access.PUBLIC, "HealthCheck");
        put(r, "vectorflow.v1.VectorFlow/", Access.READ, "GetCollection", "ListCollections", "Get", "Search", "SearchBatch",
                "Scroll", "Count");
        put(r, "vectorflow.v1.VectorFlow/", Access.READ, "ListSnapshots", "DownloadSnapshot");
        put(r, "vectorflow.v1.VectorFlow/", Access.MANAGE, "CreateSnapshot", "DeleteSnapshot");
        put(r, "vectorflow.v1.VectorFlow/", Access.WRITE, "Upsert", "Delete");
        put(r, "vectorflow.v1.VectorFlow/", Access.MANAGE, "CreateCollection", "DeleteCollection");
        put(r, "grpc.reflection.v1.ServerReflection/", Access.KEYED, "ServerReflectionInfo");
        return Map.copyOf(r);
    }

    private static void put(Map<String, Access> rules, String service, Access access, String... methods) {
        for (String m : methods) {
            rules.put(service + m, access);
        }
    }

    private final Security security;

    GrpcGuard(Security security) {
        this.security = security;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Access access = RULES.get(method);
        if (access == null) {
            call.close(Status.PERMISSION_DENIED.withDescription("no access rule for " + method + "; refused to every key"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        if (access == Access.PUBLIC) {
            return next.startCall(call, headers);
        }
        Principal p;
        try {
            p = security.auth().authenticate(headers.get(API_KEY), headers.get(AUTHORIZATION));
        } catch (Authenticator.Refused refused) {
            call.close(Status.UNAUTHENTICATED.withDescription(refused.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        String overRate = security.overRate(p);
        if (overRate != null) {
            call.close(Status.RESOURCE_EXHAUSTED.withDescription(overRate), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        if (ctx != null) {
            Security.set(ctx, p);
        }
        String requestId = ctx == null ? "" : ctx.id().text();
        String[] named = new String[1];
        ServerCall<Q, A> audited = !Security.audited(access) ? call : new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                security.audit(p, method, named[0], status.getCode().name(), requestId);
                super.close(status, trailers);
            }
        };
        if (!p.allows(access, null) && p.collections().isEmpty()) { // the role alone refuses it
            audited.close(Status.PERMISSION_DENIED.withDescription(Security.denied(p, access, null)), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        ServerCall.Listener<Q> inner = next.startCall(audited, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(inner) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                Set<String> collections = message instanceof Message m ? collections(m) : Set.of();
                named[0] = collections.isEmpty() ? null : String.join(",", collections);
                boolean ok = collections.isEmpty() ? p.allows(access, null) : collections.stream().allMatch(c -> p.allows(access, c));
                if (!ok) {
                    refused = true;
                    audited.close(Status.PERMISSION_DENIED.withDescription(Security.denied(p, access,
                            collections.isEmpty() ? null : collections.iterator().next())), new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /**
     * The collections a request names: its {@code collection_name} (Qdrant's messages),
     * {@code collection} or, for {@code vectorflow.v1}'s collection calls, {@code name}; and
     * those of the requests a batch holds ({@code searches}).
     */
    static Set<String> collections(Message m) {
        Set<String> out = new LinkedHashSet<>();
        add(m, out);
        Descriptors.FieldDescriptor searches = m.getDescriptorForType().findFieldByName("searches");
        if (searches != null && searches.isRepeated() && searches.getJavaType() == Descriptors.FieldDescriptor.JavaType.MESSAGE) {
            for (int i = 0; i < m.getRepeatedFieldCount(searches); i++) {
                add((Message) m.getRepeatedField(searches, i), out);
            }
        }
        return out;
    }

    private static void add(Message m, Set<String> out) {
        Descriptors.Descriptor d = m.getDescriptorForType();
        for (String field : new String[] {"collection_name", "collection"}) {
            Descriptors.FieldDescriptor f = d.findFieldByName(field);
            if (f != null && f.getJavaType() == Descriptors.FieldDescriptor.JavaType.STRING && !f.isRepeated()) {
                out.add((String) m.getField(f));
                return;
            }
        }
        if (d.getFullName().startsWith("vectorflow.v1.") && d.getName().endsWith("CollectionRequest")) {
            Descriptors.FieldDescriptor f = d.findFieldByName("name");
            if (f != null && f.getJavaType() == Descriptors.FieldDescriptor.JavaType.STRING) {
                out.add((String) m.getField(f));
            }
        }
    }
}
