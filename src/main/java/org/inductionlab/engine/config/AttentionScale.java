package org.inductionlab.engine.config;

/** How attention scores are scaled before the softmax. */
public enum AttentionScale {
    /** q k^T / sqrt(d_head), as every Transformer since Vaswani et al. 2017. */
    STANDARD,
    /**
     * Also times ln(n) / ln(train_length) for a query that sees n keys ("Scalable-Softmax", Nakanishi 2025;
     * Chiang and Cholak 2022), in training and evaluation alike: a softmax over more keys is sharpened as
     * much as it would otherwise spread, so a head that found one key among 256 still finds it among 2^16.
     */
    LOG_LENGTH;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
