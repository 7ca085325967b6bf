package io.groupai.fleet.workflows;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

/** Reads the String constants of a contracts class, so its list of them cannot fall behind. */
final class Constants {

    private Constants() {}

    static List<String> of(Class<?> holder) {
        return Arrays.stream(holder.getDeclaredFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(Constants::value)
                .toList();
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("contract constants are public: " + field, e);
        }
    }
}
