package microsim // import "github.com/otelcol-aiops/otelcol-aiops/internal/microsim"

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// reqVars are the variable fields of one request, drawn once at its start so
// that every service logs the same user, order and client address.
type reqVars struct {
	user, clientIP, product, order, txn, zip, card, sessionKey string
	items, qty                                                 int
	amount, shipping                                           float64
	path                                                       string
	status                                                     int
	rng                                                        *rand.Rand
}

const idAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

func randID(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[r.IntN(len(idAlphabet))]
	}
	return string(b)
}

func randHex(r *rand.Rand, n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[r.IntN(16)]
	}
	return string(b)
}

func newReqVars(r *rand.Rand) *reqVars {
	v := &reqVars{
		// A bounded user population makes users recur, as in real traffic.
		user:     fmt.Sprintf("u-%05d", r.IntN(50000)),
		clientIP: fmt.Sprintf("%d.%d.%d.%d", []int{81, 92, 145, 176, 203}[r.IntN(5)], r.IntN(256), r.IntN(256), 1+r.IntN(254)),
		product:  randID(r, 10),
		order:    "ORD-" + randHex(r, 8),
		txn:      "txn_" + randHex(r, 12),
		zip:      fmt.Sprintf("%05d", 1000+r.IntN(98000)),
		card:     fmt.Sprintf("%04d", r.IntN(10000)),
		items:    1 + r.IntN(6),
		qty:      1 + r.IntN(3),
		rng:      r,
	}
	v.sessionKey = "cart:" + v.user
	v.amount = float64(int((9.99+r.Float64()*240)*100)) / 100
	v.shipping = float64(int((4.99+float64(v.items)*1.5)*100)) / 100
	return v
}

func fmtDur(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func logHTTP(v *reqVars, o *operation, d time.Duration) string {
	return fmt.Sprintf("%s %s %d %s user=%s ip=%s", o.method, v.path, v.status, fmtDur(d), v.user, v.clientIP)
}

func logHTTPError(v *reqVars, o *operation, cause string) string {
	return fmt.Sprintf("request failed: %s %s status=%d user=%s ip=%s: %s", o.method, v.path, v.status, v.user, v.clientIP, cause)
}

func logGetCart(v *reqVars, _ *operation, d time.Duration) string {
	return fmt.Sprintf("loaded cart for user %s: %d items in %s", v.user, v.items, fmtDur(d))
}

func logAddItem(v *reqVars, _ *operation, _ time.Duration) string {
	return fmt.Sprintf("added product %s (quantity %d) to cart of user %s", v.product, v.qty, v.user)
}

func logEmptyCart(v *reqVars, _ *operation, _ time.Duration) string {
	return fmt.Sprintf("emptied cart of user %s", v.user)
}

func logCartError(v *reqVars, o *operation, cause string) string {
	return fmt.Sprintf("cart request %s failed for user %s: %s", o.name, v.user, cause)
}

func logPlaceOrder(v *reqVars, _ *operation, d time.Duration) string {
	return fmt.Sprintf("order %s placed for user %s: %d items, total %.2f USD in %s", v.order, v.user, v.items, v.amount+v.shipping, fmtDur(d))
}

func logPlaceOrderError(v *reqVars, _ *operation, cause string) string {
	return fmt.Sprintf("failed to place order %s for user %s: %s", v.order, v.user, cause)
}

func logCharge(v *reqVars, _ *operation, d time.Duration) string {
	return fmt.Sprintf("charged card ending in %s: %.2f USD, transaction %s (%s)", v.card, v.amount+v.shipping, v.txn, fmtDur(d))
}

func logChargeError(v *reqVars, _ *operation, cause string) string {
	return fmt.Sprintf("payment for transaction %s declined: %s (card ending in %s)", v.txn, cause, v.card)
}

func logQuote(v *reqVars, _ *operation, _ time.Duration) string {
	return fmt.Sprintf("quote for %d items to zip %s: %.2f USD", v.items, v.zip, v.shipping)
}

func logShipOrder(v *reqVars, _ *operation, _ time.Duration) string {
	return fmt.Sprintf("shipment for order %s created, tracking number 1Z%s", v.order, randID(v.rng, 12))
}

func logShippingError(v *reqVars, o *operation, cause string) string {
	return fmt.Sprintf("shipping request %s failed for order %s: %s", o.name, v.order, cause)
}

func logCache(v *reqVars, o *operation, d time.Duration) string {
	return fmt.Sprintf("%s %s served in %s", o.name, v.sessionKey, fmtDur(d))
}

func logCacheError(v *reqVars, o *operation, cause string) string {
	return fmt.Sprintf("-ERR %s %s: %s", o.name, v.sessionKey, cause)
}

func logSQL(v *reqVars, o *operation, d time.Duration) string {
	param := v.product
	if o.collection == "orders" {
		param = v.order
	}
	return fmt.Sprintf("LOG:  duration: %.3f ms  execute <unnamed>: %s  DETAIL:  parameters: $1 = '%s'", float64(d)/float64(time.Millisecond), o.query, param)
}

func logSQLError(_ *reqVars, o *operation, cause string) string {
	return fmt.Sprintf("ERROR:  %s  STATEMENT:  %s", cause, o.query)
}

// slowLog is the warning a service writes when a request takes far longer
// than usual, as most frameworks do past a threshold.
func slowLog(svc string, o *operation, d, threshold time.Duration) string {
	return fmt.Sprintf("slow request: %s %s took %s (threshold %s)", svc, o.name, fmtDur(d), fmtDur(threshold))
}

// novelPatterns are the lines a new_log_pattern fault makes a service write;
// none is produced otherwise. A fault picks one by a hash of its ID, so
// different faults usually bring different lines.
var novelPatterns = []func(v *reqVars, svc string) string{
	func(v *reqVars, svc string) string {
		return fmt.Sprintf("connection pool exhausted in %s: waited %dms for a free connection (active=%d idle=0 max=32)", svc, 50+v.rng.IntN(900), 32)
	},
	func(v *reqVars, svc string) string {
		return fmt.Sprintf("deprecated API v1 called by client %s for user %s; v1 is removed in release 5.%d", v.clientIP, v.user, v.rng.IntN(10))
	},
	func(v *reqVars, svc string) string {
		return fmt.Sprintf("retrying request %s after transient failure (attempt %d of 5, backoff %dms)", v.order, 1+v.rng.IntN(4), 100*(1+v.rng.IntN(8)))
	},
	func(v *reqVars, svc string) string {
		return fmt.Sprintf("feature flag checkout-v2 evaluation failed for user %s: provider unreachable, serving default", v.user)
	},
	func(v *reqVars, svc string) string {
		return fmt.Sprintf("GC pause of %dms exceeded target 50ms (heap %dMB, goroutines %d)", 60+v.rng.IntN(400), 200+v.rng.IntN(600), 300+v.rng.IntN(2000))
	},
	func(v *reqVars, svc string) string {
		return fmt.Sprintf("circuit breaker for upstream %s moved to half-open after %d consecutive failures", svc, 5+v.rng.IntN(20))
	},
	func(v *reqVars, svc string) string {
		return fmt.Sprintf("unexpected field \"promo_code\" in payload from %s (request %s); ignoring", v.clientIP, v.txn)
	},
	func(v *reqVars, svc string) string {
		return fmt.Sprintf("TLS certificate for %s.internal expires in %d days (serial %s)", svc, 1+v.rng.IntN(14), randHex(v.rng, 16))
	},
}
