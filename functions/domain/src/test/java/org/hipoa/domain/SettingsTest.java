package org.hipoa.domain;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SettingsTest {
    private static Optional<String> read(Map<String, String> properties, Map<String, String> environment) {
        return Settings.resolve("TABLE_NAME", properties::get, environment::get);
    }

    @Test
    void systemProperty_winsOverTheEnvironmentVariable() {
        assertEquals(Optional.of("local"), read(Map.of("TABLE_NAME", "local"), Map.of("TABLE_NAME", "shell")));
    }

    @Test
    void environmentVariable_isReadWhenNoPropertyIsSet() {
        assertEquals(Optional.of("lambda"), read(Map.of(), Map.of("TABLE_NAME", "lambda")));
    }

    @Test
    void blankProperty_hidesTheEnvironmentVariable() {
        // The local stack masks a harness setting this way for a function whose template lacks it.
        assertEquals(Optional.empty(), read(Map.of("TABLE_NAME", ""), Map.of("TABLE_NAME", "shell")));
        assertEquals(Optional.empty(), read(Map.of("TABLE_NAME", " \t"), Map.of("TABLE_NAME", "shell")));
    }

    @Test
    void blankOrMissingEverywhere_isAbsent() {
        assertEquals(Optional.empty(), read(Map.of(), Map.of()));
        assertEquals(Optional.empty(), read(Map.of(), Map.of("TABLE_NAME", "  ")));
    }

    @Test
    void value_isStripped() {
        assertEquals(Optional.of("results"), read(Map.of(), Map.of("TABLE_NAME", " results\n")));
        assertEquals(Optional.of("results"), read(Map.of("TABLE_NAME", "\tresults "), Map.of()));
    }

    @Test
    void get_readsTheJvmsSystemProperties() {
        String name = "hipoa.settingsTest." + System.nanoTime();
        System.setProperty(name, " set ");
        try {
            assertEquals(Optional.of("set"), Settings.get(name));
        } finally {
            System.clearProperty(name);
        }
        assertEquals(Optional.empty(), Settings.get(name));
    }
}
