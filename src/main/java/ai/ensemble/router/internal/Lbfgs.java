package ai.ensemble.router.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Limited-memory BFGS with a backtracking (Armijo) line search: minimises a smooth convex function
 * given its value and gradient. Enough for the router's logistic regression, which has a few
 * thousand parameters and converges in tens to a couple of hundred iterations.
 */
final class Lbfgs {

    /** Writes the gradient at {@code x} into {@code gradient} and returns the value. */
    interface Objective {
        double evaluate(double[] x, double[] gradient);
    }

    private static final int MEMORY = 10;

    private Lbfgs() {
    }

    static double[] minimise(Objective objective, int dimensions, int maxIterations, double tolerance) {
        double[] x = new double[dimensions];
        double[] gradient = new double[dimensions];
        double value = objective.evaluate(x, gradient);
        Deque<double[][]> history = new ArrayDeque<>(); // {s, y, rho}
        double[] candidate = new double[dimensions];
        double[] candidateGradient = new double[dimensions];
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            double[] direction = direction(gradient, history);
            double slope = dot(gradient, direction);
            if (slope >= 0) { // not a descent direction: forget the curvature and go downhill
                history.clear();
                direction = negated(gradient);
                slope = dot(gradient, direction);
            }
            double step = history.isEmpty() ? 1 / Math.max(1e-12, Math.sqrt(dot(gradient, gradient))) : 1;
            double next = Double.NaN;
            for (int halvings = 0; halvings < 40; halvings++) {
                for (int i = 0; i < dimensions; i++) {
                    candidate[i] = x[i] + step * direction[i];
                }
                next = objective.evaluate(candidate, candidateGradient);
                if (next <= value + 1e-4 * step * slope) {
                    break;
                }
                step *= 0.5;
            }
            double[] s = new double[dimensions];
            double[] y = new double[dimensions];
            for (int i = 0; i < dimensions; i++) {
                s[i] = candidate[i] - x[i];
                y[i] = candidateGradient[i] - gradient[i];
            }
            double sy = dot(s, y);
            if (sy > 1e-12) {
                history.addFirst(new double[][] {s, y, {1 / sy}});
                if (history.size() > MEMORY) {
                    history.removeLast();
                }
            }
            System.arraycopy(candidate, 0, x, 0, dimensions);
            System.arraycopy(candidateGradient, 0, gradient, 0, dimensions);
            double previous = value;
            value = next;
            if (maxAbs(gradient) < tolerance || Math.abs(previous - value) < 1e-10 * Math.max(1, Math.abs(value))) {
                break;
            }
        }
        return x;
    }

    /** The two-loop recursion: an approximation of -H⁻¹·gradient from the stored (s, y) pairs. */
    private static double[] direction(double[] gradient, Deque<double[][]> history) {
        double[] q = gradient.clone();
        double[] alphas = new double[history.size()];
        int k = 0;
        for (double[][] pair : history) { // newest first
            alphas[k] = pair[2][0] * dot(pair[0], q);
            axpy(-alphas[k], pair[1], q);
            k++;
        }
        if (!history.isEmpty()) {
            double[][] newest = history.peekFirst();
            double scale = dot(newest[0], newest[1]) / dot(newest[1], newest[1]);
            for (int i = 0; i < q.length; i++) {
                q[i] *= scale;
            }
        }
        Iterator<double[][]> oldestFirst = history.descendingIterator();
        k = history.size() - 1;
        while (oldestFirst.hasNext()) {
            double[][] pair = oldestFirst.next();
            double beta = pair[2][0] * dot(pair[1], q);
            axpy(alphas[k] - beta, pair[0], q);
            k--;
        }
        return negated(q);
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double[] negated(double[] v) {
        double[] n = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            n[i] = -v[i];
        }
        return n;
    }

    private static double maxAbs(double[] v) {
        double max = 0;
        for (double d : v) {
            max = Math.max(max, Math.abs(d));
        }
        return max;
    }
}
