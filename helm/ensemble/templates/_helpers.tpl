{{/* Names and labels shared by every object of the chart. */}}

{{- define "ensemble.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ensemble.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "ensemble.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "ensemble.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ensemble.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "ensemble.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector of one component: gateway, worker or migration. */}}
{{- define "ensemble.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ensemble.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ensemble.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ensemble.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "ensemble.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The database credentials of the application role, from the existing Secret. */}}
{{- define "ensemble.databaseEnv" -}}
- name: SPRING_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret names the Secret with the database credentials" .Values.database.existingSecret }}
      key: {{ .Values.database.usernameKey }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: {{ .Values.database.passwordKey }}
{{- end -}}

{{/* The console's OIDC client secret, when oidc.clientSecret.existingSecret is set. */}}
{{- define "ensemble.oidcSecretEnv" -}}
- name: ENSEMBLE_CONSOLE_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.oidc.clientSecret.existingSecret }}
      key: {{ .Values.oidc.clientSecret.key }}
{{- end -}}

{{- define "ensemble.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end -}}

{{/* Liveness and readiness are Spring Boot's probe groups (management.endpoint.health.probes). */}}
{{- define "ensemble.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .probes.startup.periodSeconds }}
  failureThreshold: {{ .probes.startup.failureThreshold }}
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .probes.liveness.periodSeconds }}
  failureThreshold: {{ .probes.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: http
  periodSeconds: {{ .probes.readiness.periodSeconds }}
  failureThreshold: {{ .probes.readiness.failureThreshold }}
{{- end -}}

{{/* Outbound rules of every pod when networkPolicy.restrictEgress is on. */}}
{{- define "ensemble.egressRules" -}}
# DNS
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- if .Values.workers.enabled }}
# The inference workers of this release
- to:
    - podSelector:
        matchLabels:
          {{- include "ensemble.selectorLabels" (dict "root" . "component" "worker") | nindent 10 }}
  ports:
    - port: {{ .Values.workers.port }}
      protocol: TCP
{{- end }}
{{- with .Values.networkPolicy.egress }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* A worker model's workload (and headless Service) name. Arguments: root, model. */}}
{{- define "ensemble.workerName" -}}
{{- printf "%s-worker-%s" (include "ensemble.fullname" .root) (required "workers.models[].name is required" .model.name) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The gateway's `worker` expert URLs for one model, comma-separated: each StatefulSet pod by its stable
DNS name under the headless Service (the gateway balances over them by their reported load), or the
Service itself for a Deployment. Arguments: root, model.
*/}}
{{- define "ensemble.workerUrls" -}}
{{- $name := include "ensemble.workerName" . }}
{{- $namespace := .root.Release.Namespace }}
{{- $port := .root.Values.workers.port }}
{{- if eq .root.Values.workers.kind "StatefulSet" }}
{{- $urls := list }}
{{- range $k := until (int (.model.replicas | default 1)) }}
{{- $urls = append $urls (printf "http://%s-%d.%s.%s.svc:%v" $name $k $name $namespace $port) }}
{{- end }}
{{- join "," $urls }}
{{- else }}
{{- printf "http://%s.%s.svc:%v" $name $namespace $port }}
{{- end }}
{{- end }}

{{/* The service token secret gateway and workers share, from an existing Secret. */}}
{{- define "ensemble.workerTokenEnv" -}}
- name: ENSEMBLE_WORKER_TOKEN_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ required "workers.tokenSecret.existingSecret names the Secret with the token secret gateway and workers share (at least 32 bytes)" .Values.workers.tokenSecret.existingSecret }}
      key: {{ .Values.workers.tokenSecret.key | default "token-secret" }}
{{- end }}
