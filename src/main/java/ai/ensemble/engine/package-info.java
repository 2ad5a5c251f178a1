/**
 * Ensemble's own inference core: model formats, tokenizers, the forward pass, sampling and
 * generation. Plain Java 25 with no framework imports, so that it runs and is benchmarked alone
 * (on the GPU machine only the engine's classes and JCuda travel).
 */
package ai.ensemble.engine;
