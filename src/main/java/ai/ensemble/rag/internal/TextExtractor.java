package ai.ensemble.rag.internal;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Set;

import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.springframework.stereotype.Component;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Text and title of an uploaded file (PDF, DOCX, HTML, Markdown, plain text) through Apache Tika.
 * Tika reports every format as XHTML; headings become Markdown {@code #} lines and block elements
 * blank lines, so the chunker sees the same structure whatever the format.
 */
@Component
class TextExtractor {

    record Extracted(String title, String text, String contentType) {
    }

    /** A file whose text could not be read; the message is reported in the job's errors. */
    static final class UnreadableFileException extends RuntimeException {
        UnreadableFileException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private static final int MAX_CHARACTERS = 5_000_000;
    private static final Set<String> BLOCKS = Set.of("p", "div", "li", "tr", "blockquote", "pre", "table", "ul", "ol", "section", "article");

    private final Parser parser = new AutoDetectParser();

    Extracted extract(String fileName, byte[] content) {
        Metadata metadata = new Metadata();
        metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        MarkdownHandler handler = new MarkdownHandler();
        try (InputStream input = new ByteArrayInputStream(content)) {
            parser.parse(input, handler, metadata, new ParseContext());
        } catch (Exception e) {
            if (!WriteLimitReachedException.isWriteLimitReached(e) && !(e instanceof TooLong)) {
                throw new UnreadableFileException("cannot extract text from '" + fileName + "': " + rootMessage(e), e);
            }
        } catch (LinkageError e) {
            throw new UnreadableFileException("cannot extract text from '" + fileName + "': " + e, e);
        }
        String text = handler.text().strip();
        String contentType = metadata.get(Metadata.CONTENT_TYPE);
        if (text.isEmpty()) {
            throw new UnreadableFileException("no text found in '" + fileName + "' (" + contentType + ")", null);
        }
        String title = metadata.get(TikaCoreProperties.TITLE);
        return new Extracted(title == null || title.isBlank() ? fileName : title.strip(), text,
                contentType == null ? "application/octet-stream" : contentType);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static final class TooLong extends org.xml.sax.SAXException {
    }

    /** Tika's XHTML events as light Markdown. */
    private static final class MarkdownHandler extends DefaultHandler {
        private final StringBuilder text = new StringBuilder();
        private int skipDepth;

        String text() {
            return text.toString().replaceAll("\n{3,}", "\n\n");
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            String name = localName.isEmpty() ? qName : localName;
            if (name.equals("head") || name.equals("script") || name.equals("style")) {
                skipDepth++;
            } else if (name.length() == 2 && name.charAt(0) == 'h' && Character.isDigit(name.charAt(1))) {
                text.append("\n\n").append("#".repeat(Math.max(1, Math.min(6, name.charAt(1) - '0')))).append(' ');
            } else if (BLOCKS.contains(name)) {
                text.append("\n\n");
            } else if (name.equals("br")) {
                text.append('\n');
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            String name = localName.isEmpty() ? qName : localName;
            if (name.equals("head") || name.equals("script") || name.equals("style")) {
                skipDepth--;
            } else if (BLOCKS.contains(name) || (name.length() == 2 && name.charAt(0) == 'h' && Character.isDigit(name.charAt(1)))) {
                text.append("\n\n");
            } else if (name.equals("td") || name.equals("th")) {
                text.append(' ');
            }
        }

        @Override
        public void characters(char[] ch, int start, int length) throws TooLong {
            if (skipDepth == 0) {
                text.append(ch, start, length);
                if (text.length() > MAX_CHARACTERS) {
                    throw new TooLong();
                }
            }
        }

        @Override
        public void ignorableWhitespace(char[] ch, int start, int length) throws TooLong {
            characters(ch, start, length);
        }
    }
}
