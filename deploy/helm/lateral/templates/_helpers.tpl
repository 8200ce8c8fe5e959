{{/* Name of the chart. */}}
{{- define "lateral.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every object's name: the release name, plus the chart name unless it already has it. */}}
{{- define "lateral.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of one service's objects. Call with (dict "root" $ "name" $name). */}}
{{- define "lateral.componentName" -}}
{{- printf "%s-%s" (include "lateral.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select one service's pods. Call with (dict "root" $ "name" $name). */}}
{{- define "lateral.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lateral.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* Labels on every object of one service. Call with (dict "root" $ "name" $name). */}}
{{- define "lateral.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "lateral.selectorLabels" . }}
app.kubernetes.io/part-of: lateral
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/* Image of one service. Call with (dict "root" $ "name" $name). */}}
{{- define "lateral.image" -}}
{{- $image := .root.Values.image -}}
{{- printf "%s-%s:%s" $image.repository .name (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* Name of the Secret holding the secret key and database URLs. */}}
{{- define "lateral.secretName" -}}
{{- default (include "lateral.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* LATERAL_BUS_URL: kafka://host:port[,host:port] from the bootstrap servers. */}}
{{- define "lateral.busUrl" -}}
{{- $servers := required "kafka.bootstrapServers must list at least one host:port" .Values.kafka.bootstrapServers -}}
{{- printf "kafka://%s" (join "," $servers) -}}
{{- end -}}

{{/* Non-secret settings of one service (its ConfigMap's data). Call with (dict "root" $ "name" $name "svc" $svc). */}}
{{- define "lateral.configData" -}}
{{- $v := .root.Values -}}
LATERAL_ENVIRONMENT: {{ $v.environment | quote }}
LATERAL_BUS_URL: {{ include "lateral.busUrl" .root | quote }}
LATERAL_HTTP_HOST: "0.0.0.0"
LATERAL_HTTP_PORT: {{ $v.httpPort | quote }}
LATERAL_LOG_LEVEL: {{ $v.logLevel | quote }}
LATERAL_TOPIC_PARTITIONS: {{ $v.topicPartitions | quote }}
LATERAL_CONSUMER_MAX_ATTEMPTS: {{ $v.consumerMaxAttempts | quote }}
LATERAL_KAFKA_ENABLE_IDEMPOTENCE: {{ $v.kafka.enableIdempotence | quote }}
{{- if .svc.index }}
LATERAL_INDEX_URL: {{ required "opensearch.url is required" $v.opensearch.url | quote }}
LATERAL_INDEX_NAME: {{ $v.opensearch.indexName | quote }}
{{- end }}
{{- if eq .name "search-api" }}
{{- /* The web app's review pages call the matcher's review API through its Service. */}}
LATERAL_MATCHER_URL: {{ printf "http://%s:%v" (include "lateral.componentName" (dict "root" .root "name" "matcher")) $v.httpPort | quote }}
{{- end }}
{{- range $key, $value := .svc.env }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end -}}
