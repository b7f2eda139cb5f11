// manifest-check decodes every object of a multi-document Kubernetes manifest (for example the
// output of `helm template`) strictly into the Kubernetes API types of one release: a field the
// type does not have, a duplicate field, a value of the wrong type or an unknown kind is an error.
// It reads the manifest from standard input (or the files named), prints one line per object and
// exits 1 naming every object that failed (docs/kubernetes.md).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// kinds maps apiVersion/kind to a constructor of the Go type that object must decode into.
var kinds = map[string]func() any{
	"v1/ConfigMap":                             func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                                func() any { return &corev1.Secret{} },
	"v1/Service":                               func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                        func() any { return &corev1.ServiceAccount{} },
	"v1/PersistentVolumeClaim":                 func() any { return &corev1.PersistentVolumeClaim{} },
	"v1/Pod":                                   func() any { return &corev1.Pod{} },
	"apps/v1/StatefulSet":                      func() any { return &appsv1.StatefulSet{} },
	"apps/v1/Deployment":                       func() any { return &appsv1.Deployment{} },
	"batch/v1/Job":                             func() any { return &batchv1.Job{} },
	"policy/v1/PodDisruptionBudget":            func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/Ingress":             func() any { return &networkingv1.Ingress{} },
	"networking.k8s.io/v1/NetworkPolicy":       func() any { return &networkingv1.NetworkPolicy{} },
	"autoscaling/v2/HorizontalPodAutoscaler":   func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"rbac.authorization.k8s.io/v1/Role":        func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding": func() any { return &rbacv1.RoleBinding{} },
	"gateway.networking.k8s.io/v1/HTTPRoute":   func() any { return &gatewayv1.HTTPRoute{} },
	"monitoring.coreos.com/v1/ServiceMonitor":  func() any { return &monitoringv1.ServiceMonitor{} },
}

var separator = regexp.MustCompile(`(?m)^---[ \t]*$`)

func main() {
	var input []byte
	var err error
	if len(os.Args) > 1 {
		for _, name := range os.Args[1:] {
			var data []byte
			if data, err = os.ReadFile(name); err != nil {
				fail(err)
			}
			input = append(append(input, data...), []byte("\n---\n")...)
		}
	} else if input, err = io.ReadAll(bufio.NewReader(os.Stdin)); err != nil {
		fail(err)
	}

	var failures []string
	checked := 0
	for i, doc := range separator.Split(string(input), -1) {
		if isEmpty(doc) {
			continue
		}
		source := sourceOf(doc, i)
		name, err := check([]byte(doc))
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s (%s): %v", name, source, err))
			continue
		}
		checked++
		fmt.Printf("ok %s (%s)\n", name, source)
	}
	if len(failures) > 0 {
		sort.Strings(failures)
		for _, f := range failures {
			fmt.Fprintf(os.Stderr, "FAIL %s\n", f)
		}
		os.Exit(1)
	}
	if checked == 0 {
		fail(fmt.Errorf("no object in the input"))
	}
	fmt.Printf("%d objects decoded strictly\n", checked)
}

// check decodes one document strictly into the type its apiVersion and kind name.
func check(doc []byte) (string, error) {
	var meta struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return "?", fmt.Errorf("not YAML: %w", err)
	}
	name := fmt.Sprintf("%s/%s %s", meta.APIVersion, meta.Kind, meta.Metadata.Name)
	if meta.APIVersion == "" || meta.Kind == "" {
		return name, fmt.Errorf("apiVersion and kind are required")
	}
	if meta.Metadata.Name == "" {
		return name, fmt.Errorf("metadata.name is required")
	}
	newObject, known := kinds[meta.APIVersion+"/"+meta.Kind]
	if !known {
		return name, fmt.Errorf("no Go type is known for %s %s; add it to kinds", meta.APIVersion, meta.Kind)
	}
	// As the API server decodes: field names match case-sensitively, and an unknown or duplicate
	// field is an error (encoding/json alone would take clusterIp for clusterIP).
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return name, err
	}
	strictErrors, err := kjson.UnmarshalStrict(data, newObject(), kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return name, err
	}
	if len(strictErrors) > 0 {
		return name, errors.Join(strictErrors...)
	}
	return name, nil
}

// sourceOf is the template file Helm names in its "# Source:" comment, or the document number.
func sourceOf(doc string, index int) string {
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "# Source: ") {
			return strings.TrimPrefix(line, "# Source: ")
		}
	}
	return fmt.Sprintf("document %d", index+1)
}

func isEmpty(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		trimmed := bytes.TrimSpace([]byte(line))
		if len(trimmed) > 0 && trimmed[0] != '#' {
			return false
		}
	}
	return true
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "manifest-check: %v\n", err)
	os.Exit(2)
}
