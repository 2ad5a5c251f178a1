package ai.ensemble.rag;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import ai.ensemble.support.GatewayTest;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers for the knowledge-base tests: roles, keys, knowledge bases, uploads and jobs over HTTP. */
abstract class RagTestSupport extends GatewayTest {

    protected String admin() {
        return devToken("demo-admin");
    }

    protected void createRole(String admin, String name, String... permissions) {
        String list = String.join("\",\"", permissions);
        HttpResponse<String> role = post("/admin/api/roles", admin, """
                {"name":"%s","description":"rag test","permissions":["%s"]}""".formatted(name, list));
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
    }

    /** An API key holding only the given roles. */
    protected String issueKey(String admin, String... roles) {
        HttpResponse<String> response = post("/admin/api/keys", admin, """
                {"name":"rag-%s","roles":["%s"]}""".formatted(UUID.randomUUID().toString().substring(0, 8), String.join("\",\"", roles)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json(response).get("key").asString();
    }

    protected JsonNode createKnowledgeBase(String admin, String id, String... readRoles) {
        String roles = readRoles.length == 0 ? "" : "\"" + String.join("\",\"", readRoles) + "\"";
        HttpResponse<String> response = post("/admin/api/kbs", admin, """
                {"id":"%s","name":"Test %s","description":"rag test","readRoles":[%s],"chunking":{"targetChars":400,"overlapChars":80}}"""
                .formatted(id, id, roles));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json(response);
    }

    protected JsonNode addDocument(String admin, String kbId, String externalId, String title, String text) {
        HttpResponse<String> response = post("/admin/api/kbs/" + kbId + "/documents", admin, JSON.writeValueAsString(
                Map.of("externalId", externalId, "title", title, "text", text, "metadata", Map.of("source", "test"))));
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        return json(response);
    }

    protected HttpResponse<String> retrieve(String bearer, String body) {
        return post("/api/retrieve", bearer, body);
    }

    protected HttpResponse<String> postBody(String path, String bearer, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** A multipart/form-data body with one part per file, all named {@code partName}. */
    protected HttpResponse<String> upload(String path, String bearer, String partName, Map<String, byte[]> files) {
        String boundary = "----rag" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        files.forEach((name, content) -> {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + partName + "\"; filename=\"" + name
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        });
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return postBody(path, bearer, "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }

    /** Polls the job until it is no longer queued or running. */
    protected JsonNode awaitJob(String admin, String jobId) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = get("/admin/api/jobs/" + jobId, admin);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode job = json(response);
            String status = job.get("status").asString();
            if (!status.equals("queued") && !status.equals("running")) {
                return job;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("job " + jobId + " did not finish within 60 s");
    }

    protected static void assertError(HttpResponse<String> response, int status, String param) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(json(response).at("/error/param").asString()).as(response.body()).isEqualTo(param);
    }
}
