// Package alertwebhookexporter turns metrics and logs into alerts and sends
// notifications to Alertmanager and chat/incident webhooks.
//
// The package is collector plumbing only: rule evaluation with OTTL, label
// and annotation building from pdata, delivery through exporterhelper queues
// and state persistence through a storage extension. The lifecycle, grouping
// and rate-limiting logic lives in internal/alerting and the payload formats
// in internal/notify.
//
//go:generate mdatagen metadata.yaml
package alertwebhookexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter"
