package service

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/accord-tuf/accord/mapfile"
)

// deployDir holds the Kubernetes manifests.
var deployDir = filepath.Join("..", "deploy", "kubernetes")

// decodeManifest decodes the single document of deploy/kubernetes/file
// into v, refusing fields v's type does not have.
func decodeManifest(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(deployDir, file))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// flagValue returns the value after flag in args.
func flagValue(t *testing.T, args []string, flag string) string {
	t.Helper()
	i := slices.Index(args, flag)
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("args %q: no %s", args, flag)
	}
	return args[i+1]
}

// TestKubernetesManifests decodes every manifest of deploy/kubernetes into
// its k8s.io/api type and checks that they agree with each other and with
// the server: names, namespaces, ports, paths, the admission mode, the
// probes, and the security settings the documentation promises.
func TestKubernetesManifests(t *testing.T) {
	var ns corev1.Namespace
	decodeManifest(t, "namespace.yaml", &ns)
	var cm corev1.ConfigMap
	decodeManifest(t, "configmap.yaml", &cm)
	var dep appsv1.Deployment
	decodeManifest(t, "deployment.yaml", &dep)
	var svc corev1.Service
	decodeManifest(t, "service.yaml", &svc)
	var mut admissionregistrationv1.MutatingWebhookConfiguration
	decodeManifest(t, "mutatingwebhook.yaml", &mut)
	var val admissionregistrationv1.ValidatingWebhookConfiguration
	decodeManifest(t, "validatingwebhook.yaml", &val)

	for _, m := range []struct{ kind, ns string }{
		{"ConfigMap", cm.Namespace}, {"Deployment", dep.Namespace}, {"Service", svc.Namespace},
	} {
		if m.ns != ns.Name {
			t.Errorf("%s in namespace %q, want %q", m.kind, m.ns, ns.Name)
		}
	}

	// The Deployment: two replicas, non-root, read-only root, trust
	// directory in an emptyDir seeded from the ConfigMap.
	spec := dep.Spec.Template.Spec
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 2 {
		t.Errorf("replicas %v, want 2", dep.Spec.Replicas)
	}
	if sc := spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Errorf("pod security context %+v, want a non-root user", sc)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	if v := volumes["trust"]; v.EmptyDir == nil {
		t.Errorf("trust volume %+v, want an emptyDir", v)
	}
	if v := volumes["config"]; v.ConfigMap == nil || v.ConfigMap.Name != cm.Name {
		t.Errorf("config volume %+v, want the ConfigMap %s", v, cm.Name)
	}
	all := append(slices.Clone(spec.InitContainers), spec.Containers...)
	for _, c := range all {
		if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Errorf("container %s: security context %+v, want a read-only root and no privilege escalation", c.Name, sc)
		}
		for _, vm := range c.VolumeMounts {
			if _, ok := volumes[vm.Name]; !ok {
				t.Errorf("container %s mounts an undeclared volume %q", c.Name, vm.Name)
			}
		}
	}

	// The seed: the map file is installed, and every repository it
	// declares is pinned from the ConfigMap with its SHA-256.
	m, err := mapfile.Parse("configmap.yaml map.json", []byte(cm.Data["map.json"]))
	if err != nil {
		t.Fatalf("the ConfigMap's map.json: %v", err)
	}
	var seeded []string
	for _, c := range spec.InitContainers {
		args := c.Args
		switch {
		case slices.Contains(args, "init"):
			if got := flagValue(t, args, "--map"); got != "/config/map.json" {
				t.Errorf("init container %s installs %s", c.Name, got)
			}
		case slices.Contains(args, "pin"):
			name := args[slices.Index(args, "pin")+1]
			seeded = append(seeded, name)
			if _, ok := cm.Data[name+".root.json"]; !ok || flagValue(t, args, "pin") != name ||
				!slices.Contains(args, "/config/"+name+".root.json") {
				t.Errorf("init container %s pins %q from a root the ConfigMap lacks", c.Name, name)
			}
			if flagValue(t, args, "--sha256") != "$(ROOT_SHA256)" || len(c.Env) != 1 ||
				c.Env[0].ValueFrom == nil || c.Env[0].ValueFrom.ConfigMapKeyRef == nil ||
				c.Env[0].ValueFrom.ConfigMapKeyRef.Key != name+".sha256" || cm.Data[name+".sha256"] == "" {
				t.Errorf("init container %s does not pin %s with the ConfigMap's SHA-256", c.Name, name)
			}
		default:
			t.Errorf("init container %s runs %q", c.Name, args)
		}
		if flagValue(t, args, "--trust-dir") != "/var/lib/accord" {
			t.Errorf("init container %s seeds another trust directory", c.Name)
		}
	}
	if !slices.Equal(seeded, m.Names()) {
		t.Errorf("pinned %q, want every declared repository %q", seeded, m.Names())
	}

	// The server: its port, probes and flags.
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(spec.Containers))
	}
	c := spec.Containers[0]
	if flagValue(t, c.Args, "--trust-dir") != "/var/lib/accord" || !slices.Contains(c.Args, "serve") {
		t.Errorf("server args %q, want serve on /var/lib/accord", c.Args)
	}
	mode := AdmissionMode(flagValue(t, c.Args, "--admission"))
	if mode != Mutate {
		t.Errorf("--admission %s; the mutating webhook wants mutate", mode)
	}
	_, portText, _ := strings.Cut(flagValue(t, c.Args, "--listen"), ":")
	port, err := strconv.Atoi(portText)
	if err != nil || len(c.Ports) != 1 || c.Ports[0].ContainerPort != int32(port) {
		t.Fatalf("listens on %q, container ports %+v: they must agree", portText, c.Ports)
	}
	portName := c.Ports[0].Name
	for _, f := range []string{"--tls-cert", "--tls-key"} {
		if !strings.HasPrefix(flagValue(t, c.Args, f), "/tls/") {
			t.Errorf("%s outside the tls volume", f)
		}
	}
	if v := volumes["tls"]; v.Secret == nil || v.Secret.SecretName != "accord-tls" {
		t.Errorf("tls volume %+v, want the Secret accord-tls", v)
	}
	for probe, want := range map[*corev1.Probe]string{c.ReadinessProbe: PathReadyz, c.LivenessProbe: PathHealthz} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != want ||
			probe.HTTPGet.Port.String() != portName || probe.HTTPGet.Scheme != corev1.URISchemeHTTPS {
			t.Errorf("probe %+v, want HTTPS GET %s on port %s", probe, want, portName)
		}
	}

	// The Service selects the pods and reaches the server's port.
	if !mapsEqual(svc.Spec.Selector, dep.Spec.Selector.MatchLabels) || !mapsEqual(svc.Spec.Selector, dep.Spec.Template.Labels) {
		t.Errorf("service selector %v, pods %v", svc.Spec.Selector, dep.Spec.Template.Labels)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort.String() != portName {
		t.Fatalf("service ports %+v, want one to %s", svc.Spec.Ports, portName)
	}
	svcPort := svc.Spec.Ports[0].Port

	// The webhooks call that Service, on the server's paths, fail closed,
	// leave accord's namespace alone and cover every workload kind.
	type hook struct {
		name     string
		cc       admissionregistrationv1.WebhookClientConfig
		rules    []admissionregistrationv1.RuleWithOperations
		policy   *admissionregistrationv1.FailurePolicyType
		ns       string
		timeout  *int32
		versions []string
		path     string
	}
	var hooks []hook
	for _, w := range mut.Webhooks {
		hooks = append(hooks, hook{w.Name, w.ClientConfig, w.Rules, w.FailurePolicy, excluded(w.NamespaceSelector.MatchExpressions), w.TimeoutSeconds, w.AdmissionReviewVersions, PathAdmission})
	}
	for _, w := range val.Webhooks {
		hooks = append(hooks, hook{w.Name, w.ClientConfig, w.Rules, w.FailurePolicy, excluded(w.NamespaceSelector.MatchExpressions), w.TimeoutSeconds, w.AdmissionReviewVersions, PathValidate})
	}
	if len(hooks) != 2 {
		t.Fatalf("%d webhooks, want one mutating and one validating", len(hooks))
	}
	for _, h := range hooks {
		s := h.cc.Service
		if s == nil || s.Name != svc.Name || s.Namespace != svc.Namespace || s.Path == nil || *s.Path != h.path ||
			s.Port == nil || *s.Port != svcPort {
			t.Errorf("webhook %s calls %+v, want service %s/%s port %d path %s", h.name, s, svc.Namespace, svc.Name, svcPort, h.path)
		}
		if h.policy == nil || *h.policy != admissionregistrationv1.Fail {
			t.Errorf("webhook %s: failurePolicy %v, want Fail", h.name, h.policy)
		}
		if h.ns != ns.Name {
			t.Errorf("webhook %s excludes namespace %q, want %q", h.name, h.ns, ns.Name)
		}
		if h.timeout == nil || *h.timeout < 1 || *h.timeout > 30 {
			t.Errorf("webhook %s: timeoutSeconds %v, want set", h.name, h.timeout)
		}
		if !slices.Equal(h.versions, []string{"v1"}) {
			t.Errorf("webhook %s: admissionReviewVersions %q, want v1", h.name, h.versions)
		}
		var covered []string
		for _, r := range h.rules {
			for _, g := range r.APIGroups {
				for _, res := range r.Resources {
					covered = append(covered, g+"/"+res)
				}
			}
		}
		for _, want := range []string{"/pods", "/pods/ephemeralcontainers", "apps/deployments", "apps/statefulsets",
			"apps/daemonsets", "apps/replicasets", "batch/jobs", "batch/cronjobs"} {
			if !slices.Contains(covered, want) {
				t.Errorf("webhook %s does not cover %s", h.name, want)
			}
		}
	}

	// The cert-manager Certificate names the Secret the pods mount and
	// the Service's DNS name.
	cert, err := os.ReadFile(filepath.Join(deployDir, "certificate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range bytes.Split(cert, []byte("\n---\n")) {
		var obj struct {
			Kind string
			Spec struct {
				SecretName string   `json:"secretName"`
				DNSNames   []string `json:"dnsNames"`
			}
		}
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			t.Fatal(err)
		}
		if obj.Kind == "Certificate" && (obj.Spec.SecretName != "accord-tls" ||
			!slices.Contains(obj.Spec.DNSNames, svc.Name+"."+svc.Namespace+".svc")) {
			t.Errorf("certificate %+v, want the Secret accord-tls for %s.%s.svc", obj.Spec, svc.Name, svc.Namespace)
		}
	}
}

// excluded returns the namespace a selector's NotIn expression on
// kubernetes.io/metadata.name excludes, or "".
func excluded(exprs []metav1.LabelSelectorRequirement) string {
	for _, e := range exprs {
		if e.Key == "kubernetes.io/metadata.name" && e.Operator == "NotIn" && len(e.Values) == 1 {
			return e.Values[0]
		}
	}
	return ""
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
