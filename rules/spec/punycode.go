package spec

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// RFC 3492 Punycode, written out because this package may only use the
// standard library (golang.org/x/net/idna is off limits). It is enough to turn
// a lower-cased Unicode label into its "xn--" form and to check that an
// "xn--" label in a configured origin really is one; it does not do the UTS #46
// mapping and normalisation a browser's IDNA step does.

const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
	acePrefix     = "xn--"
)

var errPunycode = errors.New("invalid punycode")

func pcAdapt(delta, numPoints int32, first bool) int32 {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := int32(0)
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}

func pcDigit(d int32) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

func pcValue(c byte) (int32, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int32(c-'0') + 26, true
	case c >= 'a' && c <= 'z':
		return int32(c - 'a'), true
	case c >= 'A' && c <= 'Z':
		return int32(c - 'A'), true
	}
	return 0, false
}

func pcThreshold(k, bias int32) int32 {
	switch {
	case k <= bias:
		return pcTMin
	case k >= bias+pcTMax:
		return pcTMax
	}
	return k - bias
}

// punycodeEncode encodes one label's code points (without the "xn--" prefix).
func punycodeEncode(label string) (string, error) {
	if !utf8.ValidString(label) {
		return "", errPunycode
	}
	runes := []rune(label)
	var out strings.Builder
	for _, r := range runes {
		if r < 0x80 {
			out.WriteByte(byte(r))
		}
	}
	basic := int32(out.Len())
	handled := basic
	if basic > 0 {
		out.WriteByte('-')
	}
	n, delta, bias := int32(pcInitialN), int32(0), int32(pcInitialBias)
	const maxInt32 = 1<<31 - 1
	for handled < int32(len(runes)) {
		m := int32(maxInt32)
		for _, r := range runes {
			if r >= n && r < m {
				m = r
			}
		}
		if int64(m-n)*int64(handled+1) > int64(maxInt32-delta) {
			return "", errPunycode
		}
		delta += (m - n) * (handled + 1)
		n = m
		for _, r := range runes {
			if r < n {
				delta++
				if delta < 0 {
					return "", errPunycode
				}
			}
			if r != n {
				continue
			}
			q := delta
			for k := int32(pcBase); ; k += pcBase {
				t := pcThreshold(k, bias)
				if q < t {
					break
				}
				out.WriteByte(pcDigit(t + (q-t)%(pcBase-t)))
				q = (q - t) / (pcBase - t)
			}
			out.WriteByte(pcDigit(q))
			bias = pcAdapt(delta, handled+1, handled == basic)
			delta = 0
			handled++
		}
		delta++
		n++
	}
	return out.String(), nil
}

// punycodeDecode decodes one label (without the "xn--" prefix).
func punycodeDecode(s string) (string, error) {
	var output []rune
	pos := 0
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		for j := 0; j < i; j++ {
			if s[j] >= 0x80 {
				return "", errPunycode
			}
			output = append(output, rune(s[j]))
		}
		pos = i + 1
	}
	n, i, bias := int32(pcInitialN), int32(0), int32(pcInitialBias)
	const maxInt32 = 1<<31 - 1
	for pos < len(s) {
		oldi, w := i, int32(1)
		for k := int32(pcBase); ; k += pcBase {
			if pos >= len(s) {
				return "", errPunycode
			}
			digit, ok := pcValue(s[pos])
			pos++
			if !ok {
				return "", errPunycode
			}
			if digit > (maxInt32-i)/w {
				return "", errPunycode
			}
			i += digit * w
			t := pcThreshold(k, bias)
			if digit < t {
				break
			}
			if w > maxInt32/(pcBase-t) {
				return "", errPunycode
			}
			w *= pcBase - t
		}
		length := int32(len(output) + 1)
		bias = pcAdapt(i-oldi, length, oldi == 0)
		if i/length > maxInt32-n {
			return "", errPunycode
		}
		n += i / length
		i %= length
		if n > utf8.MaxRune || (n >= 0xD800 && n <= 0xDFFF) {
			return "", errPunycode
		}
		output = append(output, 0)
		copy(output[i+1:], output[i:])
		output[i] = n
		i++
	}
	return string(output), nil
}

// toASCIILabel lower-cases a label and, when it holds non-ASCII code points,
// returns its "xn--" form. strings.ToLower stands in for UTS #46 mapping.
func toASCIILabel(label string) (string, error) {
	lower := strings.ToLower(label)
	for i := 0; i < len(lower); i++ {
		if lower[i] >= 0x80 {
			enc, err := punycodeEncode(lower)
			if err != nil {
				return "", err
			}
			return acePrefix + enc, nil
		}
	}
	return lower, nil
}

// checkACELabel verifies that an "xn--" label decodes to non-ASCII, already
// lower-case Unicode and encodes back to exactly itself, which is what a
// browser's domain-to-ASCII step would have produced.
func checkACELabel(label string) error {
	decoded, err := punycodeDecode(label[len(acePrefix):])
	if err != nil {
		return err
	}
	ascii := true
	for i := 0; i < len(decoded); i++ {
		if decoded[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii || strings.ToLower(decoded) != decoded {
		return errPunycode
	}
	again, err := punycodeEncode(decoded)
	if err != nil || acePrefix+again != label {
		return errPunycode
	}
	return nil
}
