package hcl

import (
	"math"
	"strings"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// resultBound bounds the weight of a function's result from its (known)
// arguments.
type resultBound func(args []cty.Value) int64

// terraformFunctions are Terraform's built-in functions that configurations
// use to compute CORS settings, taken from go-cty's stdlib (which Terraform
// itself builds on) and HCL's tryfunc, each with a bound on its result.
// Functions that read files, the network, the clock or the environment
// (file, templatefile, timestamp, uuid, …) are absent on purpose: they
// evaluate to unknown with the reason `There is no function named "file"`.
var terraformFunctions = map[string]struct {
	fn    function.Function
	bound resultBound
}{
	"abs":             {stdlib.AbsoluteFunc, sumBound},
	"ceil":            {stdlib.CeilFunc, sumBound},
	"chomp":           {stdlib.ChompFunc, sumBound},
	"chunklist":       {stdlib.ChunklistFunc, scaled(2)},
	"coalesce":        {stdlib.CoalesceFunc, sumBound},
	"coalescelist":    {stdlib.CoalesceListFunc, sumBound},
	"compact":         {stdlib.CompactFunc, sumBound},
	"concat":          {stdlib.ConcatFunc, sumBound},
	"contains":        {stdlib.ContainsFunc, sumBound},
	"csvdecode":       {stdlib.CSVDecodeFunc, scaled(nodeWeight + 1)},
	"distinct":        {stdlib.DistinctFunc, sumBound},
	"element":         {stdlib.ElementFunc, sumBound},
	"flatten":         {stdlib.FlattenFunc, sumBound},
	"floor":           {stdlib.FloorFunc, sumBound},
	"format":          {stdlib.FormatFunc, formatBound},
	"formatdate":      {stdlib.FormatDateFunc, scaled(8)},
	"formatlist":      {stdlib.FormatListFunc, formatListBound},
	"indent":          {stdlib.IndentFunc, indentBound},
	"index":           {stdlib.IndexFunc, sumBound},
	"join":            {stdlib.JoinFunc, joinBound},
	"jsondecode":      {stdlib.JSONDecodeFunc, scaled(nodeWeight + 1)},
	"jsonencode":      {stdlib.JSONEncodeFunc, scaled(6)},
	"keys":            {stdlib.KeysFunc, sumBound},
	"length":          {stdlib.LengthFunc, sumBound},
	"lookup":          {stdlib.LookupFunc, sumBound},
	"lower":           {stdlib.LowerFunc, scaled(2)},
	"max":             {stdlib.MaxFunc, sumBound},
	"merge":           {stdlib.MergeFunc, sumBound},
	"min":             {stdlib.MinFunc, sumBound},
	"range":           {stdlib.RangeFunc, rangeBound},
	"regex":           {stdlib.RegexFunc, regexBound},
	"regexall":        {stdlib.RegexAllFunc, regexBound},
	"reverse":         {stdlib.ReverseListFunc, sumBound},
	"setintersection": {stdlib.SetIntersectionFunc, sumBound},
	"setproduct":      {stdlib.SetProductFunc, productBound},
	"setsubtract":     {stdlib.SetSubtractFunc, sumBound},
	"setunion":        {stdlib.SetUnionFunc, sumBound},
	"signum":          {stdlib.SignumFunc, sumBound},
	"slice":           {stdlib.SliceFunc, sumBound},
	"sort":            {stdlib.SortFunc, sumBound},
	"split":           {stdlib.SplitFunc, scaled(nodeWeight + 1)},
	"strrev":          {stdlib.ReverseFunc, sumBound},
	"substr":          {stdlib.SubstrFunc, sumBound},
	"title":           {stdlib.TitleFunc, scaled(2)},
	"tobool":          {stdlib.MakeToFunc(cty.Bool), sumBound},
	"tolist":          {stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)), sumBound},
	"tomap":           {stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)), sumBound},
	"tonumber":        {stdlib.MakeToFunc(cty.Number), scaled(2)},
	"toset":           {stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), sumBound},
	"tostring":        {stdlib.MakeToFunc(cty.String), sumBound},
	"trim":            {stdlib.TrimFunc, sumBound},
	"trimprefix":      {stdlib.TrimPrefixFunc, sumBound},
	"trimspace":       {stdlib.TrimSpaceFunc, sumBound},
	"trimsuffix":      {stdlib.TrimSuffixFunc, sumBound},
	"upper":           {stdlib.UpperFunc, scaled(2)},
	"values":          {stdlib.ValuesFunc, sumBound},
	"zipmap":          {stdlib.ZipmapFunc, sumBound},
	// replace is Terraform's: a substring in slashes is a regular
	// expression (RE2, as in Terraform).
	"replace": {replaceFunc, replaceBound},
}

// replaceFunc is Terraform's replace: stdlib's plain replace, or its regex
// replace when the substring is written "/re/".
var replaceFunc = function.New(&function.Spec{
	Params: stdlib.ReplaceFunc.Params(),
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if sub := args[1].AsString(); isRegexSubstring(sub) {
			return stdlib.RegexReplaceFunc.Call([]cty.Value{args[0], cty.StringVal(sub[1 : len(sub)-1]), args[2]})
		}
		return stdlib.ReplaceFunc.Call(args)
	},
})

// isRegexSubstring: Terraform reads replace's substring "/re/" as a
// regular expression.
func isRegexSubstring(sub string) bool {
	return len(sub) > 1 && strings.HasPrefix(sub, "/") && strings.HasSuffix(sub, "/")
}

// functions returns the function table for one module: every function
// charges its result bound to the module's budget before it runs.
func (m *module) functions() map[string]function.Function {
	out := make(map[string]function.Function, len(terraformFunctions)+2)
	for name, f := range terraformFunctions {
		out[name] = guarded(m.budget, f.fn, f.bound)
	}
	// try and can take unevaluated expressions: what they evaluate is
	// bounded like any other expression, and calls inside are guarded.
	out["try"] = tryfunc.TryFunc
	out["can"] = tryfunc.CanFunc
	return out
}

func guarded(b *budget, f function.Function, bound resultBound) function.Function {
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type:        f.ReturnTypeForValues,
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			if err := b.spend(bound(args)); err != nil {
				return cty.UnknownVal(retType), err
			}
			return f.Call(args)
		},
	})
}

func sumBound(args []cty.Value) int64 {
	w := int64(64)
	for _, a := range args {
		w = addSat(w, weight(a, saturated))
	}
	return w
}

func scaled(k int64) resultBound {
	return func(args []cty.Value) int64 { return mulSat(sumBound(args), k) }
}

func strArg(args []cty.Value, i int) string {
	if i < len(args) && args[i].IsKnown() && !args[i].IsNull() && args[i].Type() == cty.String {
		return args[i].AsString()
	}
	return ""
}

func numArg(args []cty.Value, i int) float64 {
	if i < len(args) && args[i].IsKnown() && !args[i].IsNull() && args[i].Type() == cty.Number {
		f, _ := args[i].AsBigFloat().Float64()
		return f
	}
	return 0
}

// widths sums the numbers written in a format string: "%0800000d" pads to
// 800000 characters.
func widths(format string) int64 {
	var total, n int64
	for i := 0; i <= len(format); i++ {
		if i < len(format) && format[i] >= '0' && format[i] <= '9' {
			n = addSat(mulSat(n, 10), int64(format[i]-'0'))
			continue
		}
		total = addSat(total, n)
		n = 0
	}
	return total
}

func formatBound(args []cty.Value) int64 {
	return addSat(sumBound(args), widths(strArg(args, 0)))
}

// formatListBound: the format applied once per element of the longest list
// argument, with scalars repeated each time.
func formatListBound(args []cty.Value) int64 {
	n, per := int64(1), addSat(int64(64), widths(strArg(args, 0)))
	for _, a := range args {
		if a.IsKnown() && !a.IsNull() && (a.Type().IsListType() || a.Type().IsTupleType() || a.Type().IsSetType()) {
			n = max(n, int64(a.LengthInt()))
			largest := int64(0)
			for it := a.ElementIterator(); it.Next(); {
				_, e := it.Element()
				largest = max(largest, weight(e, saturated))
			}
			per = addSat(per, largest)
			continue
		}
		per = addSat(per, weight(a, saturated))
	}
	return mulSat(n, per)
}

func joinBound(args []cty.Value) int64 {
	n := int64(1)
	for _, a := range args[1:] {
		if a.IsKnown() && !a.IsNull() && a.CanIterateElements() {
			n = addSat(n, int64(a.LengthInt()))
		}
	}
	return addSat(sumBound(args), mulSat(n, int64(len(strArg(args, 0)))))
}

func indentBound(args []cty.Value) int64 {
	s := strArg(args, 1)
	spaces := int64(math.Min(math.Max(numArg(args, 0), 0), float64(saturated)))
	return addSat(sumBound(args), mulSat(int64(strings.Count(s, "\n")+1), spaces))
}

func rangeBound(args []cty.Value) int64 {
	start, limit, step := 0.0, numArg(args, 0), 1.0
	if len(args) >= 2 {
		start, limit = numArg(args, 0), numArg(args, 1)
	}
	if len(args) >= 3 {
		step = numArg(args, 2)
	}
	if step == 0 {
		return sumBound(args)
	}
	n := math.Ceil(math.Abs(limit-start) / math.Abs(step))
	if n != n || n >= float64(saturated/(2*nodeWeight)) { // NaN or huge
		return saturated
	}
	return addSat(sumBound(args), int64(n)*2*nodeWeight)
}

// regexBound: at most one match per position, each with every capture
// group, each group at most the whole string.
func regexBound(args []cty.Value) int64 {
	s := int64(len(strArg(args, 1)))
	groups := int64(strings.Count(strArg(args, 0), "(")) + 1
	perMatch := mulSat(groups, nodeWeight)
	return addSat(sumBound(args), addSat(mulSat(s+1, perMatch), mulSat(groups, s)))
}

// replaceBound: every occurrence (for a regex or an empty substring, every
// position) gets the replacement; a regex replacement's $1 references
// together add at most the string once each.
func replaceBound(args []cty.Value) int64 {
	s, sub, rep := int64(len(strArg(args, 0))), strArg(args, 1), int64(len(strArg(args, 2)))
	occurrences := s + 1
	if len(sub) > 0 && !isRegexSubstring(sub) {
		occurrences = s/int64(len(sub)) + 1
	}
	return addSat(sumBound(args), addSat(mulSat(occurrences, rep), mulSat(rep, s)))
}

// productBound: setproduct yields one tuple per combination.
func productBound(args []cty.Value) int64 {
	n, per := int64(1), int64(nodeWeight)
	for _, a := range args {
		if !a.IsKnown() || a.IsNull() || !a.CanIterateElements() {
			continue
		}
		n = mulSat(n, int64(a.LengthInt()))
		largest := int64(0)
		for it := a.ElementIterator(); it.Next(); {
			_, e := it.Element()
			largest = max(largest, weight(e, saturated))
		}
		per = addSat(per, addSat(largest, nodeWeight))
	}
	return addSat(sumBound(args), mulSat(n, per))
}
