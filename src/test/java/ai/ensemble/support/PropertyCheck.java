package ai.ensemble.support;

import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A small property-based test runner: checks a property on generated inputs and, when one fails,
 * shrinks it to a smaller input that still fails before reporting it with the seed that replays
 * the run. The tries per property are small by default so that {@code ./mvnw verify} stays quick;
 * {@code -Dfuzz.tries=100000} multiplies them for a long run (each property keeps its share), and
 * {@code -Dfuzz.seed=N} replays a reported failure.
 *
 * <p>Written here rather than taken from a property-testing library: jqwik's author asks that AI
 * coding agents not use it, and Jazzer 0.24 cannot instrument Java 25 class files.
 */
public final class PropertyCheck<T> {

    /** The tries a property gets when no {@code fuzz.tries} is given. */
    private static final int DEFAULT_TRIES = 100;
    private static final long SHRINK_BUDGET_NANOS = 20_000_000_000L;

    private final String name;
    private final Function<SplittableRandom, T> generator;
    private Function<T, Stream<T>> shrinker = value -> Stream.empty();
    private Function<T, String> describer = String::valueOf;
    private double share = 1;

    private PropertyCheck(String name, Function<SplittableRandom, T> generator) {
        this.name = name;
        this.generator = generator;
    }

    /** A property named {@code name} over the inputs {@code generator} makes from a random source. */
    public static <T> PropertyCheck<T> forAll(String name, Function<SplittableRandom, T> generator) {
        return new PropertyCheck<>(name, generator);
    }

    /** Candidates smaller than a failing input, tried in order while shrinking. */
    public PropertyCheck<T> shrinkingWith(Function<T, Stream<T>> shrinker) {
        this.shrinker = shrinker;
        return this;
    }

    /** How a failing input is shown in the report (long inputs should be abbreviated). */
    public PropertyCheck<T> describedAs(Function<T, String> describer) {
        this.describer = describer;
        return this;
    }

    /** This property's tries as a fraction of the default (expensive properties take fewer). */
    public PropertyCheck<T> share(double share) {
        this.share = share;
        return this;
    }

    /** The number of tries this property gets. */
    public int tries() {
        return Math.max(1, (int) Math.round(Integer.getInteger("fuzz.tries", DEFAULT_TRIES) * share));
    }

    /**
     * Checks {@code property} (which fails by throwing) on {@link #tries()} inputs; returns how many
     * were checked. On a failure throws an {@link AssertionError} naming the seed and the shrunk input.
     */
    public int check(Consumer<T> property) {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        int tries = tries();
        for (int i = 0; i < tries; i++) {
            T input = generator.apply(random.split());
            Throwable failure = failure(property, input);
            if (failure != null) {
                T smallest = shrink(property, input, failure);
                Throwable last = failure(property, smallest);
                throw new AssertionError("property '" + name + "' failed on try " + (i + 1) + " of " + tries
                        + " (replay with -Dfuzz.seed=" + seed + "); shrunk input: " + describer.apply(smallest)
                        + "\n  failure: " + last, last);
            }
        }
        System.out.printf("property '%s': %d tries passed (seed %d)%n", name, tries, seed);
        return tries;
    }

    private T shrink(Consumer<T> property, T input, Throwable original) {
        long deadline = System.nanoTime() + SHRINK_BUDGET_NANOS;
        T current = input;
        boolean progress = true;
        while (progress && System.nanoTime() < deadline) {
            progress = false;
            for (Iterator<T> candidates = shrinker.apply(current).iterator(); candidates.hasNext(); ) {
                T candidate = candidates.next();
                Throwable failure = failure(property, candidate);
                if (failure != null && failure.getClass() == original.getClass()) {
                    current = candidate;
                    progress = true;
                    break;
                }
                if (System.nanoTime() >= deadline) {
                    break;
                }
            }
        }
        return current;
    }

    private static <T> Throwable failure(Consumer<T> property, T input) {
        try {
            property.accept(input);
            return null;
        } catch (Throwable failure) {
            if (failure instanceof VirtualMachineError && !(failure instanceof StackOverflowError)) {
                throw (VirtualMachineError) failure;
            }
            return failure;
        }
    }

    /** Candidates for a string: halves, quarters, … down to single characters removed, made lazily. */
    public static Stream<String> smallerStrings(String text) {
        return removals(text.length(), (at, chunk) -> text.substring(0, at) + text.substring(at + chunk));
    }

    /** {@link #smallerStrings} for bytes. */
    public static Stream<byte[]> smallerBytes(byte[] bytes) {
        return removals(bytes.length, (at, chunk) -> {
            byte[] shorter = new byte[bytes.length - chunk];
            System.arraycopy(bytes, 0, shorter, 0, at);
            System.arraycopy(bytes, at + chunk, shorter, at, bytes.length - at - chunk);
            return shorter;
        });
    }

    private interface Removal<V> {
        V without(int at, int chunk);
    }

    private static <V> Stream<V> removals(int length, Removal<V> removal) {
        IntFunction<Stream<V>> ofSize = chunk -> IntStream.iterate(0, at -> at + chunk <= length, at -> at + chunk)
                .mapToObj(at -> removal.without(at, chunk));
        return IntStream.iterate(Math.max(1, length / 2), chunk -> chunk >= 1, chunk -> chunk / 2)
                .filter(chunk -> chunk <= length)
                .boxed()
                .flatMap(ofSize::apply);
    }

    /** The text with control and non-ASCII characters escaped, abbreviated to about 600 characters. */
    public static String abbreviate(String text) {
        StringBuilder out = new StringBuilder("(" + text.length() + " chars) \"");
        int i = 0;
        for (; i < text.length() && out.length() < 600; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append(i < text.length() ? "…" : "").append('"').toString();
    }
}
