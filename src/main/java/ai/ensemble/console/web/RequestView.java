package ai.ensemble.console.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import ai.ensemble.audit.AuditReview;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One request's audit records as the console's detail page shows them: who asked what (the prompt
 * messages), what came back, the routing decision with its scores, the retrieved passages, the
 * guardrail verdicts with their spans marked in the text they refer to, tokens, latency and status.
 * Which spans can be marked, and where, is {@link MarkedText}'s business.
 */
record RequestView(String subject, String callerType, String roles, String clientApp, String endpoint, String model,
                   String expert, Integer status, String guardrailAction, Double latencyMs, Long promptTokens,
                   Long completionTokens, String finishReason, String error, List<Parameter> parameters,
                   List<Message> messages, List<MarkedText.Segment> output, Routing routing, List<Passage> passages,
                   List<String> policies, List<Verdict> verdicts, List<Access> accesses) {

    record Message(String role, List<MarkedText.Segment> segments) {
    }

    record Parameter(String name, String value) {
    }

    record Score(String expert, double score, boolean chosen) {
    }

    record Routing(String mode, String expert, String predicted, Double confidence, Double threshold, boolean fallback,
                   String fallbackReason, List<Score> scores, String skipped) {
    }

    record Passage(String kb, String title, String documentId, String chunkId, Double score) {
    }

    record Verdict(String stage, String policy, Integer message, String detector, String type, String action, int start,
                   int end, Double score, boolean marked) {
    }

    /** Someone read this request's records (an {@code access} event filed under it). */
    record Access(String subject, String endpoint, String at) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static RequestView of(List<AuditReview.Event> events) {
        JsonNode request = null;
        JsonNode response = null;
        List<Access> accesses = new ArrayList<>();
        for (AuditReview.Event event : events) {
            JsonNode record = JSON.readTree(event.record());
            switch (event.kind()) {
                case "request" -> request = record;
                case "response" -> response = record;
                case "access" -> accesses.add(new Access(text(record, "subject"), text(record, "endpoint"),
                        text(record, "recorded_at")));
                default -> { }
            }
        }
        JsonNode head = request != null ? request : response;
        if (head == null) {
            return null; // only access or retention events: nothing to lay out
        }
        JsonNode outcome = response == null ? JSON.missingNode() : response.path("body");
        List<Verdict> verdicts = verdicts(outcome.path("guardrails").path("verdicts"));
        List<String> texts = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        JsonNode requestBody = request == null ? JSON.missingNode() : request.path("body");
        for (JsonNode message : requestBody.path("messages")) {
            texts.add(content(message.path("content")));
            roles.add(text(message, "role"));
        }
        List<Verdict> placed = MarkedText.place(verdicts, texts, text(outcome, "output"));
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            int index = i;
            messages.add(new Message(roles.get(i), MarkedText.segments(texts.get(i),
                    placed.stream().filter(v -> v.marked() && v.stage().equals("input") && Integer.valueOf(index).equals(v.message())).toList())));
        }
        String output = text(outcome, "output");
        List<MarkedText.Segment> outputSegments = output == null ? null
                : MarkedText.segments(output, placed.stream().filter(v -> v.marked() && v.stage().equals("output")).toList());
        List<String> policies = new ArrayList<>();
        outcome.path("guardrails").path("policies").forEach(p -> policies.add(p.asString()));
        JsonNode last = response != null ? response : request;
        return new RequestView(text(head, "subject"), text(head, "caller_type"), joined(head.path("roles")),
                text(head, "client_app"), text(head, "endpoint"), text(head, "model"), text(last, "expert"),
                number(last, "status") == null ? null : number(last, "status").intValue(), text(last, "guardrail_action"),
                decimal(outcome, "latency_ms"), number(outcome, "prompt_tokens"), number(outcome, "completion_tokens"),
                text(outcome, "finish_reason"), text(outcome, "error"), parameters(requestBody), messages, outputSegments,
                routing(response == null ? JSON.missingNode() : response.path("routing")), passages(outcome.path("retrieved")),
                policies, placed, accesses);
    }

    private static List<Verdict> verdicts(JsonNode list) {
        List<Verdict> verdicts = new ArrayList<>();
        for (JsonNode v : list) {
            Long message = number(v, "message");
            verdicts.add(new Verdict(text(v, "stage"), text(v, "policy"), message == null ? null : message.intValue(),
                    text(v, "detector"), text(v, "type"), String.valueOf(text(v, "action")), v.path("start").asInt(-1),
                    v.path("end").asInt(-1), decimal(v, "score"), false));
        }
        return verdicts;
    }

    private static Routing routing(JsonNode routing) {
        if (!routing.isObject()) {
            return null;
        }
        String expert = text(routing, "expert");
        List<Score> scores = new ArrayList<>();
        for (Map.Entry<String, JsonNode> score : routing.path("scores").properties()) {
            scores.add(new Score(score.getKey(), score.getValue().asDouble(), score.getKey().equals(expert)));
        }
        scores.sort(Comparator.comparingDouble(Score::score).reversed());
        return new Routing(text(routing, "mode"), expert, text(routing, "predicted"), decimal(routing, "confidence"),
                decimal(routing, "threshold"), routing.path("fallback").asBoolean(false), text(routing, "fallback_reason"),
                scores, joined(routing.path("skipped")));
    }

    private static List<Passage> passages(JsonNode retrieved) {
        List<Passage> passages = new ArrayList<>();
        for (JsonNode p : retrieved) {
            passages.add(new Passage(text(p, "kb"), text(p, "title"), text(p, "document_id"), text(p, "chunk_id"),
                    decimal(p, "score")));
        }
        return passages;
    }

    /** The request's parameters other than its messages and model (temperature, max_tokens, …), as given. */
    private static List<Parameter> parameters(JsonNode body) {
        List<Parameter> parameters = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : body.properties()) {
            if (!p.getKey().equals("messages") && !p.getKey().equals("model")) {
                parameters.add(new Parameter(p.getKey(), p.getValue().isString() ? p.getValue().asString() : p.getValue().toString()));
            }
        }
        return parameters;
    }

    /** A message's text as screening saw it: the string, or its text parts joined. */
    private static String content(JsonNode content) {
        if (content.isString()) {
            return content.asString();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            text.append(part.path("text").asString(""));
        }
        return text.toString();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? null : value.asString();
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.asLong() : null;
    }

    private static Double decimal(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.asDouble() : null;
    }

    private static String joined(JsonNode list) {
        List<String> items = new ArrayList<>();
        list.forEach(item -> items.add(item.asString()));
        return String.join(", ", items);
    }
}
