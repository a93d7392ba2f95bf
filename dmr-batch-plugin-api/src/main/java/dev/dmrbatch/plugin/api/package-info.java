/**
 * The extension API of dmr-batch. A plugin is a jar with a {@link dev.dmrbatch.plugin.api.Plugin} named in
 * {@code META-INF/services/dev.dmrbatch.plugin.api.Plugin}; it may add input formats
 * ({@link dev.dmrbatch.plugin.api.InputFormat}), exports ({@link dev.dmrbatch.plugin.api.Export}), check types
 * ({@link dev.dmrbatch.plugin.api.CheckType}) and step types ({@link dev.dmrbatch.plugin.api.StepType}).
 * <p>
 * Everything here is plain Java: a plugin never sees dmr-batch's own classes, Spring or Spring Batch. Its jar is loaded
 * in a class loader of its own whose parent shows only this package and the JDK, so a plugin brings its own libraries
 * (shaded into its jar) and cannot clash with the application's.
 */
package dev.dmrbatch.plugin.api;
