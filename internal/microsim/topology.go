package microsim // import "github.com/otelcol-aiops/otelcol-aiops/internal/microsim"

import "time"

// Kind is how a service is reached, which decides its span attributes.
type Kind int

const (
	KindHTTP     Kind = iota + 1 // HTTP server (http.*)
	KindGRPC                     // gRPC server (rpc.*)
	KindCache                    // key-value store (db.*, redis)
	KindDatabase                 // SQL database (db.*, postgresql)
)

// latency is a log-normal distribution of an operation's own time.
type latency struct {
	median time.Duration
	sigma  float64
}

// call is one downstream call of an operation.
type call struct {
	service, operation string
	probability        float64
	// optional calls have a fallback: their failure does not fail the caller.
	optional bool
}

// operation is one endpoint, RPC method or query of a service.
type operation struct {
	name      string
	weight    float64 // entry service only: share of incoming requests
	latency   latency
	errorRate float64
	calls     []call
	// HTTP routes
	method, route string
	// database and cache statements
	collection, query string
	// log renders the line of a successful request.
	log func(v *reqVars, o *operation, d time.Duration) string
	// errLog renders the line of a failed request.
	errLog func(v *reqVars, o *operation, cause string) string
}

// Service is one simulated service and its host.
type Service struct {
	Name       string
	Kind       Kind
	Port       int
	RPCService string // gRPC services
	DBSystem   string // cache and database
	Version    string
	// IP is the service's pod address, used as server.address by callers.
	IP string

	ops       []*operation
	errCauses []string // why the service itself fails
	logShare  float64  // share of successful requests that log a line
	cpuIdle   float64  // CPU utilisation with no traffic
	cpuPerRPS float64  // utilisation added per request per second
	memMB     float64  // resident memory with no traffic
	memPerRPS float64  // MB added per request per second
}

func (s *Service) op(name string) *operation {
	for _, o := range s.ops {
		if o.name == name {
			return o
		}
	}
	return nil
}

// Topology is the service set and call graph.
type Topology struct {
	// Entry is the service that receives external requests.
	Entry    string
	services []*Service
}

// Service returns the named service or nil.
func (t *Topology) Service(name string) *Service {
	for _, s := range t.services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// ServiceNames returns the service names in topology order.
func (t *Topology) ServiceNames() []string {
	names := make([]string, len(t.services))
	for i, s := range t.services {
		names[i] = s.Name
	}
	return names
}

// Edges returns caller -> callee pairs of the call graph, without duplicates.
func (t *Topology) Edges() [][2]string {
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, s := range t.services {
		for _, o := range s.ops {
			for _, c := range o.calls {
				e := [2]string{s.Name, c.service}
				if !seen[e] {
					seen[e] = true
					out = append(out, e)
				}
			}
		}
	}
	return out
}

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

// DefaultTopology returns an online shop: frontend -> cart, checkout;
// checkout -> cart, payment, shipping, database; cart -> cache; frontend ->
// cache and database for product pages.
func DefaultTopology() *Topology {
	return &Topology{Entry: "frontend", services: []*Service{
		{
			Name: "frontend", Kind: KindHTTP, Port: 8080, Version: "2.4.1", IP: "10.0.1.12",
			errCauses: []string{"template rendering failed: nil pointer dereference", "session store read failed"},
			logShare:  1, cpuIdle: 0.05, cpuPerRPS: 0.012, memMB: 180, memPerRPS: 1.5,
			ops: []*operation{
				{name: "GET /api/products/{id}", method: "GET", route: "/api/products/{id}", weight: 0.45,
					latency: latency{ms(6), 0.4}, errorRate: 0.001,
					calls: []call{{"cache", "GET", 1, true}, {"database", "SELECT products", 0.3, false}},
					log:   logHTTP, errLog: logHTTPError},
				{name: "GET /api/cart", method: "GET", route: "/api/cart", weight: 0.25,
					latency: latency{ms(4), 0.4}, errorRate: 0.001,
					calls: []call{{"cart", "GetCart", 1, false}}, log: logHTTP, errLog: logHTTPError},
				{name: "POST /api/cart", method: "POST", route: "/api/cart", weight: 0.15,
					latency: latency{ms(5), 0.4}, errorRate: 0.001,
					calls: []call{{"cart", "AddItem", 1, false}}, log: logHTTP, errLog: logHTTPError},
				{name: "POST /api/checkout", method: "POST", route: "/api/checkout", weight: 0.15,
					latency: latency{ms(8), 0.4}, errorRate: 0.001,
					calls: []call{{"checkout", "PlaceOrder", 1, false}}, log: logHTTP, errLog: logHTTPError},
			},
		},
		{
			Name: "cart", Kind: KindGRPC, Port: 7070, RPCService: "shop.CartService", Version: "1.9.0", IP: "10.0.2.7",
			errCauses: []string{"cart serialization failed: unexpected end of JSON input"},
			logShare:  1, cpuIdle: 0.03, cpuPerRPS: 0.01, memMB: 120, memPerRPS: 0.8,
			ops: []*operation{
				{name: "GetCart", latency: latency{ms(2), 0.35}, errorRate: 0.001,
					calls: []call{{"cache", "GET", 1, false}}, log: logGetCart, errLog: logCartError},
				{name: "AddItem", latency: latency{ms(3), 0.35}, errorRate: 0.001,
					calls: []call{{"cache", "SET", 1, false}}, log: logAddItem, errLog: logCartError},
				{name: "EmptyCart", latency: latency{ms(1.5), 0.35}, errorRate: 0.001,
					calls: []call{{"cache", "DEL", 1, false}}, log: logEmptyCart, errLog: logCartError},
			},
		},
		{
			Name: "checkout", Kind: KindGRPC, Port: 5050, RPCService: "shop.CheckoutService", Version: "3.1.2", IP: "10.0.3.21",
			errCauses: []string{"order validation failed: currency conversion unavailable"},
			logShare:  1, cpuIdle: 0.03, cpuPerRPS: 0.03, memMB: 150, memPerRPS: 2,
			ops: []*operation{
				{name: "PlaceOrder", latency: latency{ms(15), 0.4}, errorRate: 0.002,
					calls: []call{
						{"cart", "GetCart", 1, false}, {"shipping", "GetQuote", 1, false},
						{"payment", "Charge", 1, false}, {"shipping", "ShipOrder", 1, false},
						{"database", "INSERT orders", 1, false}, {"cart", "EmptyCart", 1, true},
					},
					log: logPlaceOrder, errLog: logPlaceOrderError},
			},
		},
		{
			Name: "payment", Kind: KindGRPC, Port: 50051, RPCService: "shop.PaymentService", Version: "1.2.7", IP: "10.0.4.9",
			errCauses: []string{"card processor returned 502 Bad Gateway", "fraud check timed out"},
			logShare:  1, cpuIdle: 0.02, cpuPerRPS: 0.05, memMB: 100, memPerRPS: 3,
			ops: []*operation{
				{name: "Charge", latency: latency{ms(45), 0.45}, errorRate: 0.004, log: logCharge, errLog: logChargeError},
			},
		},
		{
			Name: "shipping", Kind: KindGRPC, Port: 50052, RPCService: "shop.ShippingService", Version: "1.0.4", IP: "10.0.5.14",
			errCauses: []string{"carrier API rejected request: invalid postal code"},
			logShare:  1, cpuIdle: 0.02, cpuPerRPS: 0.02, memMB: 90, memPerRPS: 1,
			ops: []*operation{
				{name: "GetQuote", latency: latency{ms(4), 0.35}, errorRate: 0.001, log: logQuote, errLog: logShippingError},
				{name: "ShipOrder", latency: latency{ms(10), 0.4}, errorRate: 0.001, log: logShipOrder, errLog: logShippingError},
			},
		},
		{
			Name: "cache", Kind: KindCache, Port: 6379, DBSystem: "redis", Version: "7.2.4", IP: "10.0.6.3",
			errCauses: []string{"OOM command not allowed when used memory > 'maxmemory'"},
			logShare:  0.02, cpuIdle: 0.02, cpuPerRPS: 0.002, memMB: 300, memPerRPS: 0.2,
			ops: []*operation{
				{name: "GET", query: "GET", latency: latency{ms(0.3), 0.3}, errorRate: 0.0002, log: logCache, errLog: logCacheError},
				{name: "SET", query: "SET", latency: latency{ms(0.4), 0.3}, errorRate: 0.0002, log: logCache, errLog: logCacheError},
				{name: "DEL", query: "DEL", latency: latency{ms(0.3), 0.3}, errorRate: 0.0002, log: logCache, errLog: logCacheError},
			},
		},
		{
			Name: "database", Kind: KindDatabase, Port: 5432, DBSystem: "postgresql", Version: "16.3", IP: "10.0.7.5",
			errCauses: []string{"canceling statement due to lock timeout", "could not serialize access due to concurrent update"},
			logShare:  0.1, cpuIdle: 0.05, cpuPerRPS: 0.02, memMB: 512, memPerRPS: 2,
			ops: []*operation{
				{name: "SELECT products", collection: "products", query: "SELECT id, name, price_usd FROM products WHERE id = $1",
					latency: latency{ms(1.5), 0.5}, errorRate: 0.0005, log: logSQL, errLog: logSQLError},
				{name: "INSERT orders", collection: "orders", query: "INSERT INTO orders (id, user_id, total_usd) VALUES ($1, $2, $3)",
					latency: latency{ms(2.5), 0.5}, errorRate: 0.0005, log: logSQL, errLog: logSQLError},
			},
		},
	}}
}
