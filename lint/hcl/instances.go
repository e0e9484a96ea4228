package hcl

import (
	"fmt"
	"math/big"
	"strconv"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// instance is one instance of a resource: its address as Terraform writes
// it (aws_s3_bucket.b[0], aws_s3_bucket.b["logs"]) and the context its
// arguments are evaluated in (count.index, each.key and each.value set).
type instance struct {
	id  string
	ctx *hclv2.EvalContext
}

// maxInstances bounds the instances mapped for one resource; a count or
// for_each beyond it is mapped as one instance with count.index or each.*
// unknown, and says so.
const maxInstances = 1000

var metaSchema = &hclv2.BodySchema{Attributes: []hclv2.AttributeSchema{{Name: "count"}, {Name: "for_each"}}}

// instances expands a resource's count or for_each the way Terraform
// plans it when the value is known: `count = 0` (or an empty for_each)
// means no resource and so no finding; a known count or collection means
// one policy per instance. When the value is not known the resource is
// mapped once, with count.index or each.* unknown, and note says why.
func (m *module) instances(r *resourceBlock) (out []instance, note string) {
	base := r.typ + "." + r.name
	content, _, _ := r.block.Body.PartialContent(metaSchema)
	if a, ok := content.Attributes["count"]; ok {
		return m.countInstances(base, a)
	}
	if a, ok := content.Attributes["for_each"]; ok {
		return m.forEachInstances(base, a)
	}
	return []instance{{id: base, ctx: m.ctx}}, ""
}

func (m *module) countInstances(base string, a *hclv2.Attribute) ([]instance, string) {
	val, diags := m.eval(a.Expr, m.ctx)
	unknown := func(why string) ([]instance, string) {
		return []instance{{id: base, ctx: m.ctx}}, "count = " + m.source(a.Expr.Range()) + " is not known (" + why + "): mapped as one instance"
	}
	if !val.IsWhollyKnown() || val.IsNull() {
		return unknown(m.unknownReason(a.Expr, m.ctx, diags))
	}
	num, err := convertNumber(val)
	if err != "" {
		return unknown(err)
	}
	n, acc := num.Int64()
	if acc != big.Exact || n < 0 {
		return unknown("not a whole number of zero or more")
	}
	if n > maxInstances {
		return unknown(fmt.Sprintf("%d instances, more than the %d corsguard maps one by one", n, maxInstances))
	}
	out := make([]instance, 0, n)
	for i := int64(0); i < n; i++ {
		ctx := m.ctx.NewChild()
		ctx.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)})}
		out = append(out, instance{id: base + "[" + strconv.FormatInt(i, 10) + "]", ctx: ctx})
	}
	return out, ""
}

func (m *module) forEachInstances(base string, a *hclv2.Attribute) ([]instance, string) {
	val, diags := m.eval(a.Expr, m.ctx)
	unknown := func(why string) ([]instance, string) {
		return []instance{{id: base, ctx: m.ctx}}, "for_each = " + m.source(a.Expr.Range()) + " is not known (" + why + "): mapped as one instance"
	}
	switch {
	case !val.IsWhollyKnown() || val.IsNull():
		return unknown(m.unknownReason(a.Expr, m.ctx, diags))
	case !val.Type().IsMapType() && !val.Type().IsObjectType() && !val.Type().IsSetType():
		return unknown("for_each takes a map or a set of strings, not a " + val.Type().FriendlyName())
	case val.LengthInt() > maxInstances:
		return unknown(fmt.Sprintf("%d instances, more than the %d corsguard maps one by one", val.LengthInt(), maxInstances))
	}
	var out []instance
	for it := val.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if val.Type().IsSetType() {
			if v.Type() != cty.String {
				return unknown("a set for for_each must hold strings")
			}
			k = v
		}
		ctx := m.ctx.NewChild()
		ctx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})}
		out = append(out, instance{id: base + "[" + strconv.Quote(k.AsString()) + "]", ctx: ctx})
	}
	return out, ""
}

func convertNumber(v cty.Value) (*big.Float, string) {
	if v.Type() == cty.Number {
		return v.AsBigFloat(), ""
	}
	if v.Type() == cty.String {
		if f, ok := new(big.Float).SetString(v.AsString()); ok {
			return f, ""
		}
	}
	return nil, "not a number"
}
