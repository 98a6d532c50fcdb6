package org.hipoa.local.internal;

import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.hipoa.local.ObjectCreated;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * S3Proxy has no event notifications, so the local stack raises them where S3 would: at the blob store, once an
 * object is stored. S3Proxy 4.x ships {@link ForwardingBlobStore} (its middlewares use it), so decorating
 * putBlob / copyBlob / completeMultipartUpload sees every write exactly once, synchronously, with the stored
 * version's eTag — polling ListObjects and diffing would miss overwrites of the same key and add latency.
 * The listener must not block: it only enqueues.
 */
public final class ObjectCreatedBlobStore extends ForwardingBlobStore {
    private final Consumer<ObjectCreated> listener;

    public ObjectCreatedBlobStore(BlobStore delegate, Consumer<ObjectCreated> listener) {
        super(delegate);
        this.listener = listener;
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        PutObjectResponse r = super.putBlob(request, content);
        notify(request.bucket(), request.key(), "ObjectCreated:Put", r.eTag(), r.versionId());
        return r;
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        CopyObjectResponse r = super.copyBlob(request);
        String eTag = r.copyObjectResult() == null ? null : r.copyObjectResult().eTag();
        notify(request.destinationBucket(), request.destinationKey(), "ObjectCreated:Copy", eTag, r.versionId());
        return r;
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
                                                                   CompleteMultipartUploadRequest request) {
        CompleteMultipartUploadResponse r = super.completeMultipartUpload(upload, request);
        notify(upload.containerName(), upload.blobName(), "ObjectCreated:CompleteMultipartUpload", r.eTag(),
                r.versionId());
        return r;
    }

    private void notify(String bucket, String key, String eventName, String eTag, String versionId) {
        // The stored object's own metadata: the write request may not carry a content length (aws-chunked).
        HeadObjectResponse head = delegate().blobMetadata(bucket, key);
        String tag = eTag != null ? eTag : head.eTag();
        String version = versionId != null ? versionId : head.versionId();
        listener.accept(new ObjectCreated(bucket, key, head.contentLength() == null ? 0 : head.contentLength(),
                tag == null ? "" : tag, Optional.ofNullable(version).filter(v -> !v.isEmpty() && !"null".equals(v)),
                eventName, Instant.now()));
    }
}
