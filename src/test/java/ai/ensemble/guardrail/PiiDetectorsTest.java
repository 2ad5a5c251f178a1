package ai.ensemble.guardrail;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static ai.ensemble.guardrail.Marked.assertFinds;
import static ai.ensemble.guardrail.Marked.assertIgnores;

/** Each PII detector on what it must find (spans marked ⟦…⟧) and on near-misses it must leave alone. */
class PiiDetectorsTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "mail me at ⟦ann.lee+gw@example.co.uk⟧ today",
        "⟦UtaK_ortig@mail-host.de⟧, ⟦x@y.io⟧.",
        "Contact: <⟦bob%ops@sub.domain.example⟧>",
    })
    void findsEmailAddresses(String marked) {
        assertFinds("email", EntityType.EMAIL, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"user@localhost is not routable", "a..b@example.com", "@handle on social media", "version 1.2@3", "foo@bar.c0m"})
    void ignoresWhatIsNotAnEmailAddress(String text) {
        assertIgnores("email", EntityType.EMAIL, text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Call me on ⟦+44 20 7946 0958⟧ tomorrow",
        "E.164: ⟦+14155552671⟧",
        "office ⟦(415) 555-2671⟧, fax ⟦415.555.2672⟧",
        "Ruf an: ⟦030 12345678⟧",
        "mon portable: ⟦06 12 34 56 78⟧",
        "⟦0044 161 496 0000⟧ is the Manchester desk",
        "US toll free ⟦1-800-555-0199⟧",
        "my phone is ⟦467 3395⟧",
    })
    void findsPhoneNumbers(String marked) {
        assertFinds("phone", EntityType.PHONE, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "released on 2024-03-15 at noon", "born 15.03.1984 in Graz", "between 1990-2005", "upgrade to 10.0.19041.1288",
        "Order #4539-1234-5678 shipped", "invoice 2023 4455 6677", "ISBN 978-3-16-148410-0", "ID 123-45-6789",
        "we had 100 000 000 users", "it costs $1 234 567", "range 700-1000 calories", "3 4 5 6 7 8 9",
        "in 2019 2020 2021 and 2022", "driver's license number is 2270-66-1551",
    })
    void ignoresDatesVersionsAndIdentifiers(String text) {
        assertIgnores("phone", EntityType.PHONE, text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "card ⟦4111 1111 1111 1111⟧ exp 12/29",
        "⟦5555-5555-5555-4444⟧",
        "Amex ⟦3782 822463 10005⟧",
        "pay with ⟦4012888888881881⟧ please",
        "Visa 19 digits ⟦4131034282458809939⟧",
        "Maestro ⟦6304 0000 0000 0000⟧",
    })
    void findsValidCardNumbers(String marked) {
        assertFinds("credit-card", EntityType.CREDIT_CARD, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "card 4111 1111 1111 1112", // fails Luhn
        "9111 1111 1111 1115",       // passes Luhn, no issuer starts with 9
        "4111-1111 1111-1111",       // mixed separators
        "tracking 1Z 999 AA1 0123 4567 84",
        "0000 0000 0000 0000",
        "version 4.111.111.111.111",
        "order 41111111111111111111111",
    })
    void ignoresInvalidCardNumbers(String text) {
        assertIgnores("credit-card", EntityType.CREDIT_CARD, text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "IBAN: ⟦DE89 3704 0044 0532 0130 00⟧.",
        "pay to ⟦GB82WEST12345698765432⟧ by Friday",
        "lower case ⟦gb82west12345698765432⟧",
        "⟦NL91 ABNA 0417 1643 00⟧ and ⟦FR14 2004 1010 0505 0001 3M02 606⟧",
        "⟦NO93 8601 1117 947⟧ ok",
    })
    void findsIbans(String marked) {
        assertFinds("iban", EntityType.IBAN, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "DE88 3704 0044 0532 0130 00",  // wrong check digits
        "GB82WEST1234569876543",        // one character short
        "DE89 3704 0044 0532 0130 0012", // too long for DE
        "XX89370400440532013000",       // no such country
        "AB12 is a form name",
    })
    void ignoresInvalidIbans(String text) {
        assertIgnores("iban", EntityType.IBAN, text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SSN ⟦123-45-6789⟧", "⟦536-22-1234⟧ on file", "social security number ⟦536221234⟧",
        "SSN: ⟦536 22 1234⟧"})
    void findsSocialSecurityNumbers(String marked) {
        assertFinds("us-ssn", EntityType.US_SSN, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SSN 000-12-3456", "SSN 666-12-3456", "SSN 912-34-5678", "SSN 123-00-4567", "SSN 123-45-0000",
        "SSN 078-05-1120", "order 536221234", "536 22 1234 units", "12-345-6789"})
    void ignoresInvalidOrContextlessSocialSecurityNumbers(String text) {
        assertIgnores("us-ssn", EntityType.US_SSN, text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"server at ⟦10.0.0.12⟧ is down", "ping ⟦192.168.1.254⟧", "⟦2001:db8:85a3::8a2e:370:7334⟧ responds",
        "link-local ⟦fe80::1⟧", "⟦2001:0db8:0000:0000:0000:ff00:0042:8329⟧", "host:⟦10.0.0.1⟧", "ssh root@⟦10.1.2.3⟧"})
    void findsIpAddresses(String marked) {
        assertFinds("ip-address", EntityType.IP_ADDRESS, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"version 1.2.3.4 fixes it", "Firmware 10.2.0.1 released", "v1.2.3.4", "256.1.1.1", "10.01.1.1",
        "at 12:30:45 sharp", "MAC 00:1A:2B:3C:4D:5E", "std::vector", "1.2.3.4.5", "x10.0.0.1", "abc.10.0.0.1"})
    void ignoresVersionsTimesAndInvalidAddresses(String text) {
        assertIgnores("ip-address", EntityType.IP_ADDRESS, text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"I was born on ⟦12/03/1980⟧.", "DOB: ⟦1975-11-02⟧", "date of birth ⟦3 March 1990⟧",
        "Geburtsdatum: ⟦12.03.1980⟧", "my birthday is ⟦July 4th, 1985⟧", "geboren am ⟦12. März 1980⟧"})
    void findsDatesOfBirth(String marked) {
        assertFinds("date-of-birth", EntityType.DATE_OF_BIRTH, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"the meeting is on 12/03/2024", "born on 31/02/1980", "DOB: 2099-01-01", "released March 12, 1998",
        "Adobe 12/03/1980"})
    void ignoresOtherDatesAndImpossibleOnes(String text) {
        assertIgnores("date-of-birth", EntityType.DATE_OF_BIRTH, text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ship to ⟦221B Baker Street⟧ please", "⟦1600 Pennsylvania Ave NW, Suite 4, Washington, DC 20500⟧",
        "Anschrift: ⟦Hauptstraße 5⟧", "visit ⟦Villacher Strasse 89⟧", "⟦12 rue de la Paix⟧", "⟦Via Roma 15⟧ is near",
        "⟦P.O. Box 1234⟧", "she lives at ⟦Joaquin Suarez 2906⟧.", "⟦14 Crown Street\n Suite 321\n LONDON\n United Kingdom 75419⟧"})
    void findsStreetAddresses(String marked) {
        assertFinds("street-address", EntityType.STREET_ADDRESS, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"I ate 3 Big Macs", "Top 10 Places to visit", "Windows 10 update", "Python 3 is great",
        "Chapter 5 explains it", "the street is quiet"})
    void ignoresNumbersBeforeCapitalisedWords(String text) {
        assertIgnores("street-address", EntityType.STREET_ADDRESS, text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Hi, my name is ⟦Jana Novak⟧ and", "Please ask Dr. ⟦Okonkwo⟧", "Name: ⟦Li Wei⟧", "meet ⟦Sarah Connor⟧ later",
        "⟦Thomas J. Anderson⟧ works here", "Dear ⟦Olivia⟧,", "Best regards,\n⟦Maximilian Huber⟧", "we hired ⟦Hannah⟧ last year"})
    void findsPersonNames(String marked) {
        assertFinds("person-name", EntityType.PERSON, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Will You Be There", "Mark the date", "Hello World", "Dear Sir or Madam", "The Grand Hotel",
        "Sarah Street is long", "Summarise the text below.", "Name: the field is required"})
    void ignoresCapitalisedWordsThatAreNotNames(String text) {
        assertIgnores("person-name", EntityType.PERSON, text);
    }
}
