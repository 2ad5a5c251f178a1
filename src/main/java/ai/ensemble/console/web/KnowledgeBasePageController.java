package ai.ensemble.console.web;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import ai.ensemble.rag.KnowledgeBaseManagement;
import ai.ensemble.rag.KnowledgeBaseManagement.Job;
import ai.ensemble.rag.KnowledgeBaseManagement.KnowledgeBase;
import ai.ensemble.rag.KnowledgeBaseManagement.Upload;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * One knowledge base's page under {@code /console/kbs/{id}} (permission {@code admin:kbs}): its
 * readers, file upload as an ingestion job (the page's script posts the files and polls the job),
 * its documents and their chunks. "Test a query" is {@link KnowledgeBaseQueryController}.
 */
@Controller
class KnowledgeBasePageController {

    static final int DOCUMENTS_SHOWN = 500;

    private final KnowledgeBaseManagement knowledgeBases;

    KnowledgeBasePageController(KnowledgeBaseManagement knowledgeBases) {
        this.knowledgeBases = knowledgeBases;
    }

    @GetMapping("/console/kbs/{id}")
    String page(@PathVariable String id, Model model) {
        model.addAttribute("kb", knowledgeBase(id));
        documents(id, model);
        return "console/kb";
    }

    /** The documents table alone: what the page's script swaps in when an upload's job has finished. */
    @GetMapping("/console/kbs/{id}/documents")
    String documents(@PathVariable String id, Model model) {
        KnowledgeBase kb = knowledgeBase(id);
        model.addAttribute("kb", kb);
        model.addAttribute("documents", knowledgeBases.documents(id, DOCUMENTS_SHOWN));
        model.addAttribute("documentsShown", DOCUMENTS_SHOWN);
        return "console/kb-documents :: documents";
    }

    /** Multipart parts named {@code files}; answered 202 with the queued job, or the API's error shape. */
    @PostMapping(path = "/console/kbs/{id}/documents", consumes = "multipart/form-data")
    @ResponseBody
    ResponseEntity<Job> upload(@PathVariable String id, @RequestParam(name = "files", required = false) List<MultipartFile> files)
            throws IOException {
        List<Upload> uploads = new ArrayList<>();
        for (MultipartFile file : files == null ? List.<MultipartFile>of() : files) {
            uploads.add(new Upload(file.getOriginalFilename(), file.getContentType(), file.getBytes()));
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(knowledgeBases.upload(id, uploads, Callers.current().subject()));
    }

    @GetMapping("/console/kbs/{id}/jobs/{jobId}")
    @ResponseBody
    Job job(@PathVariable String id, @PathVariable UUID jobId) {
        return knowledgeBases.job(jobId).filter(job -> job.kbId().equals(id))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No ingestion job " + jobId + " in '" + id + "'"));
    }

    @GetMapping("/console/kbs/{id}/documents/{documentId}")
    String document(@PathVariable String id, @PathVariable UUID documentId, Model model) {
        model.addAttribute("kb", knowledgeBase(id));
        model.addAttribute("document", knowledgeBases.document(id, documentId)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No document " + documentId + " in '" + id + "'")));
        model.addAttribute("chunks", knowledgeBases.chunks(id, documentId));
        return "console/kb-document";
    }

    @PostMapping("/console/kbs/{id}/documents/{documentId}/delete")
    String deleteDocument(@PathVariable String id, @PathVariable UUID documentId, RedirectAttributes redirect) {
        try {
            knowledgeBases.deleteDocument(id, documentId).ifPresentOrElse(
                    deleted -> redirect.addFlashAttribute("message", "Document '" + deleted.externalId() + "' deleted."),
                    () -> redirect.addFlashAttribute("error", "No document " + documentId + " in '" + id + "'"));
        } catch (ApiException e) {
            KnowledgeBasesPageController.refused(redirect, e);
        }
        return "redirect:/console/kbs/" + id;
    }

    private KnowledgeBase knowledgeBase(String id) {
        return knowledgeBases.find(id)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No knowledge base with id '" + id + "'"));
    }
}
