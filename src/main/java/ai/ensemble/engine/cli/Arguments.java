package ai.ensemble.engine.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of one subcommand, checked against the options it accepts. */
final class Arguments {

    /** A command line the user got wrong: printed with the usage, exit status 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private final String command;
    private final Map<String, String> values = new HashMap<>();

    Arguments(String command, String[] args, int from, Set<String> accepted) {
        this.command = command;
        for (int i = from; i < args.length; i += 2) {
            String name = args[i];
            if (!name.startsWith("--") || !accepted.contains(name.substring(2))) {
                throw new UsageException(command + " does not take '" + name + "' (it takes " + describe(accepted) + ")");
            }
            if (i + 1 >= args.length) {
                throw new UsageException(name + " needs a value");
            }
            if (values.put(name.substring(2), args[i + 1]) != null) {
                throw new UsageException(name + " is given twice");
            }
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String required(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new UsageException(command + " needs --" + name);
        }
        return value;
    }

    String optional(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    int integer(String name, int otherwise, int min) {
        String value = values.get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min) {
                throw new UsageException("--" + name + " must be at least " + min + ", got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + value + "'");
        }
    }

    Long optionalLong(String name) {
        String value = values.get(name);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + value + "'");
        }
    }

    float decimal(String name, float otherwise) {
        String value = values.get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            return Float.parseFloat(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + value + "'");
        }
    }

    /** A comma-separated list of non-negative integers, e.g. {@code 1,2,3}. */
    int[] integers(String name) {
        String value = required(name);
        String[] parts = value.split(",", -1);
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " must be comma-separated integers like 1,2,3, got '" + value + "'");
            }
            if (out[i] < 0) {
                throw new UsageException("--" + name + " must not hold negative numbers, got " + out[i]);
            }
        }
        return out;
    }

    private static String describe(Set<String> accepted) {
        return accepted.stream().sorted().map(name -> "--" + name).reduce((a, b) -> a + ", " + b).orElse("no options");
    }
}
