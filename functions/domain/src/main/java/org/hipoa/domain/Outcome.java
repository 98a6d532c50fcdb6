package org.hipoa.domain;

import java.util.Objects;
import java.util.function.Function;

/**
 * What every stage of the flow ends as: its value, or the reason there is none. One type for all of them (decode,
 * prepare, grade), so a rejection travels unchanged from the stage that found it to the record that stores it.
 */
public sealed interface Outcome<T> {

    record Ok<T>(T value) implements Outcome<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    record Rejected<T>(Rejection rejection) implements Outcome<T> {
        public Rejected {
            Objects.requireNonNull(rejection, "rejection");
        }
    }

    static <T> Outcome<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Outcome<T> rejected(Rejection rejection) {
        return new Rejected<>(rejection);
    }

    static <T> Outcome<T> rejected(Reason reason, String message) {
        return new Rejected<>(new Rejection(reason, message));
    }

    /** The next stage on a value; a rejection passes through untouched. */
    default <U> Outcome<U> then(Function<? super T, Outcome<U>> next) {
        return switch (this) {
            case Ok<T> ok -> next.apply(ok.value());
            case Rejected<T> r -> new Rejected<>(r.rejection());
        };
    }
}
