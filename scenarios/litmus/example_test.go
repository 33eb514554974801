package litmus_test

import (
	"fmt"

	"github.com/sabre-mm/sabre/scenarios/litmus"
)

func ExampleRun() {
	src := `JS MP+na-data+sc-flag
{ Int32 x[1]; Int32 y[1]; }
P0 { x[0] = 1; Atomics.store(y, 0, 1); }
P1 { r0 = Atomics.load(y, 0); r1 = x[0]; }
exists (1:r0=1 /\ 1:r1=0)
expect es2024: Never`
	t, err := litmus.Parse("mp.litmus", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range []string{"es2024", "sc"} {
		o, err := litmus.Run(t, m)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(o.Line(), o.Failed())
		for _, s := range o.States {
			fmt.Println(" ", s.Text())
		}
	}
	// Output:
	// Observation MP+na-data+sc-flag Never 0 3 false
	//   1:r0=0; 1:r1=0; x[0]=1; y[0]=1;
	//   1:r0=0; 1:r1=1; x[0]=1; y[0]=1;
	//   1:r0=1; 1:r1=1; x[0]=1; y[0]=1;
	// Observation MP+na-data+sc-flag Never 0 3 false
	//   1:r0=0; 1:r1=0; x[0]=1; y[0]=1;
	//   1:r0=0; 1:r1=1; x[0]=1; y[0]=1;
	//   1:r0=1; 1:r1=1; x[0]=1; y[0]=1;
}

func ExampleParse_error() {
	_, err := litmus.Parse("bad.litmus", []byte("JS Bad\n{ Int32 x[1]; }\nP0 { r0 = x[1]; }\nexists (0:r0=1)"))
	fmt.Println(err)
	// Output:
	// bad.litmus:3:13: index 1 out of range for Int32 x[1]
}
