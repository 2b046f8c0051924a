{{/* vim: set filetype=mustache: */}}
{{/*
Expand the name of the chart.
*/}}
{{- define "irhub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "irhub.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "irhub.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels. The component label keeps the helm test pod (component "test") out of the Service.
*/}}
{{- define "irhub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "irhub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: hub
{{- end }}

{{/*
Common labels.
*/}}
{{- define "irhub.labels" -}}
helm.sh/chart: {{ include "irhub.chart" . }}
{{ include "irhub.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The name of the service account to use.
*/}}
{{- define "irhub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "irhub.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
True (non-empty) when the hub runs its embedded PostgreSQL.
*/}}
{{- define "irhub.embeddedStore" -}}
{{- if not .Values.store.jdbcUrl }}true{{ end }}
{{- end }}

{{/*
True (non-empty) when more than one hub pod may run.
*/}}
{{- define "irhub.multiReplica" -}}
{{- if or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled }}true{{ end }}
{{- end }}

{{/*
Refuses combinations that would deploy a broken or unsafe hub. Included by the Deployment.
*/}}
{{- define "irhub.validate" -}}
{{- if and (include "irhub.embeddedStore" .) (include "irhub.multiReplica" .) }}
{{- fail (printf "irhub: the embedded PostgreSQL cannot serve more than one replica (replicaCount=%d, autoscaling.enabled=%t): each pod would keep its own audit store. Set store.jdbcUrl to an external PostgreSQL (with store.existingSecret or store.password), or run replicaCount=1 with autoscaling.enabled=false." (int .Values.replicaCount) .Values.autoscaling.enabled) }}
{{- end }}
{{- if and .Values.store.jdbcUrl (not (hasPrefix "jdbc:postgresql:" .Values.store.jdbcUrl)) }}
{{- fail (printf "irhub: store.jdbcUrl must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db), got %q" .Values.store.jdbcUrl) }}
{{- end }}
{{- if and .Values.kafka.bootstrapServers (eq .Values.kafka.securityProtocol "SASL_SSL") }}
{{- if not .Values.kafka.sasl.username }}
{{- fail "irhub: kafka.securityProtocol SASL_SSL needs kafka.sasl.username" }}
{{- end }}
{{- if not (or .Values.kafka.sasl.password .Values.kafka.sasl.existingSecret) }}
{{- fail "irhub: kafka.securityProtocol SASL_SSL needs kafka.sasl.existingSecret (or kafka.sasl.password)" }}
{{- end }}
{{- end }}
{{- if and .Values.networkPolicy.enabled .Values.store.jdbcUrl (not (or .Values.networkPolicy.egress.postgres.cidrs .Values.networkPolicy.egress.postgres.to)) }}
{{- fail "irhub: networkPolicy.enabled allows egress only to listed peers: set networkPolicy.egress.postgres.cidrs (or .to) so the hub can reach its audit store" }}
{{- end }}
{{- range $name, $s := .Values.secrets }}
{{- if and (not $s.existingSecret) (not $s.data) }}
{{- fail (printf "irhub: secrets.%s needs data (KEY: value) or existingSecret" $name) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The name of the Secret of one `secrets` entry.
*/}}
{{- define "irhub.connectorSecretName" -}}
{{- $root := index . 0 }}{{ $name := index . 1 }}{{ $s := index . 2 }}
{{- if $s.existingSecret }}
{{- $s.existingSecret }}
{{- else }}
{{- printf "%s-%s" (include "irhub.fullname" $root) $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
The Secret holding the store password, and its key.
*/}}
{{- define "irhub.storeSecretName" -}}
{{- default (printf "%s-store" (include "irhub.fullname" .)) .Values.store.existingSecret }}
{{- end }}
{{- define "irhub.storeSecretKey" -}}
{{- if .Values.store.existingSecret }}{{ .Values.store.existingSecretPasswordKey }}{{ else }}password{{ end }}
{{- end }}

{{/*
The Secret holding the Kafka SASL password, and its key.
*/}}
{{- define "irhub.kafkaSecretName" -}}
{{- default (printf "%s-kafka" (include "irhub.fullname" .)) .Values.kafka.sasl.existingSecret }}
{{- end }}
{{- define "irhub.kafkaSecretKey" -}}
{{- if .Values.kafka.sasl.existingSecret }}{{ .Values.kafka.sasl.existingSecretPasswordKey }}{{ else }}sasl-password{{ end }}
{{- end }}

{{/*
Where the config ConfigMap is mounted, the embedded store's data and the Kafka stores.
*/}}
{{- define "irhub.configDir" -}}/etc/irhub{{- end }}
{{- define "irhub.dataDir" -}}/var/lib/irhub{{- end }}
{{- define "irhub.kafkaKeystoreDir" -}}/run/secrets/irhub/kafka-keystore{{- end }}
{{- define "irhub.kafkaTruststoreDir" -}}/run/secrets/irhub/kafka-truststore{{- end }}

{{/*
irhub.yaml: the user's `config` with the sections the chart owns (listeners, store, kafka, policy-files) set by the
chart. The store's URL, user and password come as IRHUB_STORE_* environment variables; Kafka's passwords are
${env:IRHUB_KAFKA_*} references: no credential is ever written into this file.
*/}}
{{- define "irhub.config" -}}
{{- $cfg := dict }}
{{- range $key, $value := .Values.config }}
{{- if $value }}
{{- $_ := set $cfg $key $value }}
{{- end }}
{{- end }}
{{- $server := dict "host" "0.0.0.0" "port" 8080 }}
{{- with .Values.config.server }}
{{- $server = merge $server (deepCopy .) }}
{{- end }}
{{- $_ := set $cfg "server" $server }}
{{- $_ := set $cfg "management" (dict "host" "0.0.0.0" "port" 9876) }}
{{- $store := dict "pool-size" (int .Values.store.poolSize) }}
{{- if include "irhub.embeddedStore" . }}
{{- $_ := set $store "embedded" (dict "data-dir" (printf "%s/postgres" (include "irhub.dataDir" .))) }}
{{- end }}
{{- $_ := set $cfg "store" $store }}
{{- with .Values.kafka }}
{{- if .bootstrapServers }}
{{- $kafka := dict "bootstrap-servers" .bootstrapServers "security-protocol" .securityProtocol }}
{{- if eq .securityProtocol "SASL_SSL" }}
{{- $_ := set $kafka "sasl-mechanism" .sasl.mechanism }}
{{- $_ := set $kafka "sasl-username" .sasl.username }}
{{- $_ := set $kafka "sasl-password" "${env:IRHUB_KAFKA_SASL_PASSWORD}" }}
{{- end }}
{{- if .tls.truststore.existingSecret }}
{{- $_ := set $kafka "ssl-truststore-location" (printf "%s/%s" (include "irhub.kafkaTruststoreDir" $) .tls.truststore.truststoreKey) }}
{{- $_ := set $kafka "ssl-truststore-password" "${env:IRHUB_KAFKA_SSL_TRUSTSTORE_PASSWORD}" }}
{{- end }}
{{- if .tls.keystore.existingSecret }}
{{- $_ := set $kafka "ssl-keystore-location" (printf "%s/%s" (include "irhub.kafkaKeystoreDir" $) .tls.keystore.keystoreKey) }}
{{- $_ := set $kafka "ssl-keystore-password" "${env:IRHUB_KAFKA_SSL_KEYSTORE_PASSWORD}" }}
{{- end }}
{{- $_ := set $cfg "kafka" $kafka }}
{{- end }}
{{- end }}
{{- if .Values.policies }}
{{- $_ := set $cfg "policy-files" (list "policies.yaml") }}
{{- end }}
{{- /* in the README's order, so the file reads like examples/irhub.yaml */}}
{{- range $key := list "server" "management" "store" "pipeline" "api" "kafka" "sources" "targets" "approval-channels" "approval" "policy-files" "guards" }}
{{- if hasKey $cfg $key }}
{{ toYaml (dict $key (get $cfg $key)) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The hub container's environment: the external store, Kafka and extraEnv.
*/}}
{{- define "irhub.env" -}}
{{- $embedded := include "irhub.embeddedStore" . }}
{{- $kafka := .Values.kafka }}
{{- if not $embedded }}
- name: IRHUB_STORE_JDBC_URL
  value: {{ .Values.store.jdbcUrl | quote }}
{{- with .Values.store.username }}
- name: IRHUB_STORE_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- if or .Values.store.existingSecret .Values.store.password }}
- name: IRHUB_STORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "irhub.storeSecretName" . }}
      key: {{ include "irhub.storeSecretKey" . }}
{{- end }}
{{- end }}
{{- if $kafka.bootstrapServers }}
# Kafka: irhub.yaml's kafka section references the passwords; the Kafka bus (bus: kafka) will read the rest.
- name: IRHUB_KAFKA_BOOTSTRAP_SERVERS
  value: {{ $kafka.bootstrapServers | quote }}
- name: IRHUB_KAFKA_SECURITY_PROTOCOL
  value: {{ $kafka.securityProtocol | quote }}
{{- if eq $kafka.securityProtocol "SASL_SSL" }}
- name: IRHUB_KAFKA_SASL_MECHANISM
  value: {{ $kafka.sasl.mechanism | quote }}
- name: IRHUB_KAFKA_SASL_USERNAME
  value: {{ $kafka.sasl.username | quote }}
- name: IRHUB_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "irhub.kafkaSecretName" . }}
      key: {{ include "irhub.kafkaSecretKey" . }}
{{- end }}
{{- with $kafka.tls.keystore }}
{{- if .existingSecret }}
- name: IRHUB_KAFKA_SSL_KEYSTORE_TYPE
  value: PKCS12
- name: IRHUB_KAFKA_SSL_KEYSTORE_LOCATION
  value: {{ printf "%s/%s" (include "irhub.kafkaKeystoreDir" $) .keystoreKey | quote }}
- name: IRHUB_KAFKA_SSL_KEYSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .passwordKey }}
{{- end }}
{{- end }}
{{- with $kafka.tls.truststore }}
{{- if .existingSecret }}
- name: IRHUB_KAFKA_SSL_TRUSTSTORE_TYPE
  value: PKCS12
- name: IRHUB_KAFKA_SSL_TRUSTSTORE_LOCATION
  value: {{ printf "%s/%s" (include "irhub.kafkaTruststoreDir" $) .truststoreKey | quote }}
- name: IRHUB_KAFKA_SSL_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .passwordKey }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
