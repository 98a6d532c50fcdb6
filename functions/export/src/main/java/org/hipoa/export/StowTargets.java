package org.hipoa.export;

import org.hipoa.domain.Reason;
import org.hipoa.domain.upload.Provider;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a provider's SR is stored and with which credentials: its registered endpoint ({@link ExportStore#endpoint})
 * and the Authorization header from its own secret. A registration that may not be used is an {@link ExportFailure}.
 */
final class StowTargets {
    /** The endpoint's root and the Authorization header, if the provider named a secret. */
    record Target(URI root, Optional<String> authorization) {}

    private final ExportStore store;
    private final Supplier<SecretsManagerClient> secretsFactory;
    private SecretsManagerClient secrets;

    StowTargets(ExportStore store, Supplier<SecretsManagerClient> secretsFactory) {
        this.store = Objects.requireNonNull(store, "store");
        this.secretsFactory = Objects.requireNonNull(secretsFactory, "secretsFactory");
    }

    /** Empty when the provider registered no endpoint: the SR goes to the bucket only. */
    Optional<Target> of(Provider provider) throws ExportFailure {
        Optional<ExportStore.Endpoint> endpoint = store.endpoint(provider);
        if (endpoint.isEmpty()) return Optional.empty();
        URI root = DicomWeb.endpoint(endpoint.get().url());
        Optional<String> secretName = endpoint.get().secretName();
        if (secretName.isEmpty()) return Optional.of(new Target(root, Optional.empty()));
        if (!secretBelongsTo(secretName.get(), provider.name())) {
            throw new ExportFailure(Reason.DICOMWEB_SECRET_NOT_PROVIDERS, "The registered secretName is not the"
                    + " provider's own (hipoa/dicomweb/" + provider.name() + ").");
        }
        return Optional.of(new Target(root, DicomWeb.authorization(secret(secretName.get()))));
    }

    /**
     * A provider's DICOMWEB item names its secret, and ExportRole may read every hipoa/dicomweb/* secret (IAM cannot
     * tie the secret to the provider of the message being exported): the name must be the provider's own,
     * {@code hipoa/dicomweb/{provider}} or under it, so one provider's registration cannot send another's
     * credentials to its own endpoint.
     */
    static boolean secretBelongsTo(String secretName, String provider) {
        String own = "hipoa/dicomweb/" + provider;
        return secretName.equals(own) || secretName.startsWith(own + "/");
    }

    private synchronized String secret(String name) {
        if (secrets == null) secrets = secretsFactory.get();
        return secrets.getSecretValue(b -> b.secretId(name)).secretString();
    }
}
