// Package notify renders alert notifications into the request bodies of the
// supported targets, signs them, sends them and classifies the responses. It
// has no collector imports; the exporter maps its typed errors onto the
// collector's retry machinery.
//
// Rendering and sending are split on purpose: Render produces a body that
// holds no secret (it may sit in a persistent queue on disk for a while),
// and Prepare adds the URL, credentials and signatures right before each
// attempt, so time-bound signatures (DingTalk and Feishu accept one hour) are
// always fresh, even after a long outage.
//
// One file per target: alertmanager.go (API v2), webhook.go (Alertmanager
// webhook payload version 4), slack.go, dingtalk.go, feishu.go, wecom.go,
// msteams.go (Workflows + Adaptive Card), pagerduty.go (Events API v2).
package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"
