package ai.ensemble.guardrail;

import ai.ensemble.guardrail.internal.AwsAccessKeyDetector;
import ai.ensemble.guardrail.internal.AwsSecretKeyDetector;
import ai.ensemble.guardrail.internal.AzureKeyDetector;
import ai.ensemble.guardrail.internal.BearerTokenDetector;
import ai.ensemble.guardrail.internal.CredentialSecretDetector;
import ai.ensemble.guardrail.internal.CreditCardDetector;
import ai.ensemble.guardrail.internal.DateOfBirthDetector;
import ai.ensemble.guardrail.internal.EmailDetector;
import ai.ensemble.guardrail.internal.GcpApiKeyDetector;
import ai.ensemble.guardrail.internal.GcpServiceAccountDetector;
import ai.ensemble.guardrail.internal.IbanDetector;
import ai.ensemble.guardrail.internal.IpAddressDetector;
import ai.ensemble.guardrail.internal.JwtDetector;
import ai.ensemble.guardrail.internal.PersonNameDetector;
import ai.ensemble.guardrail.internal.PhoneDetector;
import ai.ensemble.guardrail.internal.PrivateKeyDetector;
import ai.ensemble.guardrail.internal.StreetAddressDetector;
import ai.ensemble.guardrail.internal.UsSsnDetector;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The built-in detectors, by id, each with its default settings. */
public final class Detectors {

    private static final Map<String, Detector> BUILT_IN = builtIn();

    private Detectors() {
    }

    /** Every built-in detector, personal data first, then secrets. */
    public static List<Detector> all() {
        return List.copyOf(BUILT_IN.values());
    }

    /** The ids of the built-in detectors. */
    public static Set<String> ids() {
        return BUILT_IN.keySet();
    }

    /** The detectors with these ids, in that order. */
    public static List<Detector> named(String... ids) {
        return Arrays.stream(ids).map(id -> {
            Detector detector = BUILT_IN.get(id);
            if (detector == null) {
                throw new IllegalArgumentException("no detector named '" + id + "'; known: " + BUILT_IN.keySet());
            }
            return detector;
        }).toList();
    }

    /** {@code detector}, applied only at {@code stages}. */
    public static Detector onlyAt(Detector detector, Stage first, Stage... rest) {
        Set<Stage> stages = EnumSet.of(first, rest);
        return new Detector() {
            @Override
            public String id() {
                return detector.id();
            }

            @Override
            public Set<Stage> stages() {
                return stages;
            }

            @Override
            public List<Finding> scan(CharSequence text) {
                return detector.scan(text);
            }
        };
    }

    private static Map<String, Detector> builtIn() {
        Map<String, Detector> detectors = new LinkedHashMap<>();
        for (Detector detector : List.of(
                new EmailDetector(EmailDetector.Settings.defaults()),
                new PhoneDetector(PhoneDetector.Settings.defaults()),
                new CreditCardDetector(CreditCardDetector.Settings.defaults()),
                new IbanDetector(IbanDetector.Settings.defaults()),
                new UsSsnDetector(UsSsnDetector.Settings.defaults()),
                new IpAddressDetector(IpAddressDetector.Settings.defaults()),
                new DateOfBirthDetector(DateOfBirthDetector.Settings.defaults()),
                new StreetAddressDetector(StreetAddressDetector.Settings.defaults()),
                new PersonNameDetector(PersonNameDetector.Settings.defaults()),
                new AwsAccessKeyDetector(AwsAccessKeyDetector.Settings.defaults()),
                new AwsSecretKeyDetector(AwsSecretKeyDetector.Settings.defaults()),
                new GcpApiKeyDetector(GcpApiKeyDetector.Settings.defaults()),
                new GcpServiceAccountDetector(GcpServiceAccountDetector.Settings.defaults()),
                new AzureKeyDetector(AzureKeyDetector.Settings.defaults()),
                new PrivateKeyDetector(PrivateKeyDetector.Settings.defaults()),
                new JwtDetector(JwtDetector.Settings.defaults()),
                new BearerTokenDetector(BearerTokenDetector.Settings.defaults()),
                new CredentialSecretDetector(CredentialSecretDetector.Settings.defaults()))) {
            if (detectors.put(detector.id(), detector) != null) {
                throw new IllegalStateException("two built-in detectors are named '" + detector.id() + "'");
            }
        }
        return Collections.unmodifiableMap(detectors);
    }
}
