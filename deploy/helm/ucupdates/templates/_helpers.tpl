{{/* Names and labels. */}}
{{- define "ucupdates.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ucupdates.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ucupdates.labels" -}}
{{ include "ucupdates.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "ucupdates.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The container ports of the apps (libs/config defaults). */}}
{{- define "ucupdates.internalPort" -}}8000{{- end -}}
{{- define "ucupdates.externalPort" -}}8001{{- end -}}

{{/*
  Checks across values that the schema cannot express; each failure names the values involved.
*/}}
{{- define "ucupdates.validate" -}}
{{- $v := .Values -}}
{{- $_ := required "postgres.urlSecret.name is required: the existing Secret that holds DATABASE_URL" $v.postgres.urlSecret.name -}}
{{- $_ := required "postgres.urlSecret.key is required: the key of DATABASE_URL in postgres.urlSecret.name" $v.postgres.urlSecret.key -}}
{{- $_ := required "s3.endpoint is required: the S3 service's URL" $v.s3.endpoint -}}
{{- $_ := required "s3.credentialsSecret.name is required: the existing Secret that holds the S3 access and secret keys" $v.s3.credentialsSecret.name -}}
{{- if and (not $v.redis.url) (not $v.redis.urlSecret.name) -}}
{{- fail "redis.url or redis.urlSecret.name is required: the Redis (or Sentinel) address" -}}
{{- end -}}
{{- $needed := add $v.preStopSleepSeconds $v.pool.shutdownTimeoutSeconds 5 -}}
{{- if le (int $v.terminationGracePeriodSeconds) (int $needed) -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed preStopSleepSeconds + pool.shutdownTimeoutSeconds + 5 (%v), or Kubernetes kills a node before it has drained" $v.terminationGracePeriodSeconds $needed) -}}
{{- end -}}
{{- if and $v.podDisruptionBudget.enabled (ge (int $v.podDisruptionBudget.maxUnavailable) (int $v.replicas)) (gt (int $v.replicas) 1) -}}
{{- fail (printf "podDisruptionBudget.maxUnavailable (%v) must be less than replicas (%v), or a drain may take the whole pool down" $v.podDisruptionBudget.maxUnavailable $v.replicas) -}}
{{- end -}}
{{- range $listener := list "internal" "external" -}}
{{- $ingress := index $v.ingress $listener -}}
{{- $route := index $v.gateway $listener -}}
{{- if and $ingress.enabled $route.enabled -}}
{{- fail (printf "ingress.%s.enabled and gateway.%s.enabled are both true: expose a listener through one of them" $listener $listener) -}}
{{- end -}}
{{- if and $ingress.enabled (not $ingress.hosts) -}}
{{- fail (printf "ingress.%s.hosts is empty: an enabled Ingress needs at least one host" $listener) -}}
{{- end -}}
{{- if and $route.enabled (not $route.parentRefs) -}}
{{- fail (printf "gateway.%s.parentRefs is empty: an enabled HTTPRoute needs the Gateway it attaches to" $listener) -}}
{{- end -}}
{{- end -}}
{{- if and $v.ingress.external.enabled (not $v.ingress.external.tls) -}}
{{- fail "ingress.external.tls is empty: the external listener faces the Internet and is served over TLS only" -}}
{{- end -}}
{{- end -}}

{{/*
  The environment every ucupdates container gets (frontend, worker and the migration Job).
  Variables are documented in the README; secrets come from existing Secrets only.
*/}}
{{- define "ucupdates.env" -}}
{{- $v := .Values -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $v.postgres.urlSecret.name }}
      key: {{ $v.postgres.urlSecret.key }}
{{- if $v.redis.urlSecret.name }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $v.redis.urlSecret.name }}
      key: {{ $v.redis.urlSecret.key }}
{{- else }}
- name: REDIS_URL
  value: {{ $v.redis.url | quote }}
{{- end }}
- name: S3_ENDPOINT
  value: {{ $v.s3.endpoint | quote }}
- name: S3_BUCKET
  value: {{ $v.s3.bucket | quote }}
- name: S3_REGION
  value: {{ $v.s3.region | quote }}
- name: S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.s3.credentialsSecret.name }}
      key: {{ $v.s3.credentialsSecret.accessKeyKey }}
- name: S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.s3.credentialsSecret.name }}
      key: {{ $v.s3.credentialsSecret.secretKeyKey }}
{{- with $v.secrets.adminToken }}{{ if .name }}
- name: UCU_BOOTSTRAP_ADMIN_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .key }}
{{- end }}{{ end }}
{{- with $v.secrets.downloadToken }}{{ if .name }}
- name: UCU_DOWNLOAD_TOKEN_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .key }}
{{- end }}{{ end }}
{{- if $v.secrets.trustedCa.name }}
- name: UCU_TRUSTED_CA_FILE
  value: /etc/ucupdates/trusted-ca/{{ $v.secrets.trustedCa.key }}
{{- end }}
- name: UCU_POOL_FQDN
  value: {{ $v.pool.fqdn | default (printf "%s-internal.%s.svc" (include "ucupdates.fullname" .) .Release.Namespace) | quote }}
{{- if $v.pool.site }}
- name: UCU_SITE
  value: {{ $v.pool.site | quote }}
{{- end }}
{{- if $v.pool.trustedProxies }}
- name: UCU_TRUSTED_PROXIES
  value: {{ join "," $v.pool.trustedProxies | quote }}
{{- end }}
- name: UCU_ALLOW_UNSIGNED_UPDATES
  value: {{ $v.pool.allowUnsignedUpdates | quote }}
- name: UCU_DDI_TENANT
  value: {{ $v.pool.ddiTenant | quote }}
- name: UCU_LOG_LEVEL
  value: {{ $v.pool.logLevel | quote }}
- name: UCU_SHUTDOWN_TIMEOUT_MS
  value: {{ mul $v.pool.shutdownTimeoutSeconds 1000 | quote }}
- name: UCU_REPLICA_DIR
  value: /var/lib/ucupdates/replica
- name: UCU_AUDIT_JOURNAL_DIR
  value: /var/lib/ucupdates/audit-journal
- name: UCU_INTERNAL_PORT
  value: {{ include "ucupdates.internalPort" . | quote }}
- name: UCU_EXTERNAL_PORT
  value: {{ include "ucupdates.externalPort" . | quote }}
{{- with $v.pool.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The trusted-CA volume mount, when a Secret is named. */}}
{{- define "ucupdates.trustedCaMount" -}}
{{- if .Values.secrets.trustedCa.name }}
- name: trusted-ca
  mountPath: /etc/ucupdates/trusted-ca
  readOnly: true
{{- end }}
{{- end -}}

{{- define "ucupdates.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "ucupdates.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
The paths each listener serves, as JSON (docs/phones.md, docs/ddi.md): the internal one all of
them; the external one the phones' two trees and DDI's /<tenant>/controller/v1, nothing else.
*/}}
{{- define "ucupdates.listenerPaths" -}}
{{- dict "internal" (list "/") "external" (list "/RequestHandlerExt" "/DeviceUpdateFiles_Ext" (printf "/%s/controller/v1" .Values.pool.ddiTenant)) | toJson -}}
{{- end -}}
