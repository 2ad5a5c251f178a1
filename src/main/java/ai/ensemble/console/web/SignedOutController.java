package ai.ensemble.console.web;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** Where logout lands; public, so it shows without a session. */
@Controller
class SignedOutController {

    @GetMapping("/console/signed-out")
    String signedOut() {
        return "console/signed-out";
    }
}
