package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.Finding;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Detectors that look for candidates only near an anchor ({@code @}, a dot after a digit, a colon,
 * a birth word, a digit) must find exactly what their pattern finds when tried at every position.
 */
class CandidateSearchTest {

    private static final String[] PIECES = {
        "born", "DOB:", "birthday", "12/03/1980", "1980-03-12", "3 March 1990", "March 3rd, 1990", "12.03.80", "31/02/1980",
        "10.0.0.1", "192.168.1.254", "256.1.1.1", "fe80::1", "2001:db8::7334", "a::b", "x10.0.0.1", "v1.2.3.4", "version",
        "ann@example.com", "a.b@c.de", "@", "x@y", "..", ".", ":", "::", "-", "/", "abc", "def", "12", "1980", "\n", ",", "Mr.",
        "221B", "Baker", "Street", "Apt 4", "Suite 200", "Hauptstraße 5", "Via", "Roma", "rue", "de la", "Paix", "P.O. Box 12",
        "London", "NW", "Washington, DC 20500", "PSC 1234, Box 5678", "Koskikatu 25", "Strasse", "Ave", "North", "lives at",
    };

    private static final Comparator<Finding> ORDER = Comparator.comparingInt(Finding::start).thenComparingInt(Finding::end);

    @Test
    void anchoredSearchFindsWhatEveryPositionFinds() {
        List<PatternDetector> detectors = List.of(new EmailDetector(EmailDetector.Settings.defaults()),
                new IpAddressDetector(IpAddressDetector.Settings.defaults()), new DateOfBirthDetector(DateOfBirthDetector.Settings.defaults()),
                new StreetAddressDetector(StreetAddressDetector.Settings.defaults()));
        Random random = new Random(42);
        int found = 0;
        for (int round = 0; round < 3000; round++) {
            StringBuilder text = new StringBuilder();
            int pieces = 1 + random.nextInt(12);
            for (int i = 0; i < pieces; i++) {
                text.append(PIECES[random.nextInt(PIECES.length)]).append(random.nextInt(3) == 0 ? "" : " ".repeat(1 + random.nextInt(30)));
            }
            for (PatternDetector detector : detectors) {
                List<Finding> anchored = detector.scan(text).stream().sorted(ORDER).toList();
                List<Finding> everywhere = new ArrayList<>(detector.scanEveryPosition(text));
                if (detector instanceof StreetAddressDetector street) {
                    everywhere.addAll(street.cued(text)); // the cued shapes come from a second pattern
                }
                assertThat(anchored).as("%s in [%s]", detector.id(), text).isEqualTo(everywhere.stream().sorted(ORDER).toList());
                found += anchored.size();
            }
        }
        assertThat(found).isGreaterThan(1000); // the texts do hold findings
    }
}
