#!/usr/bin/env python3
import json, random, subprocess, sys
# bench/long_recording.py OUT [HOURS] [HOSTS]: a synthetic recording for
# bench/replay_bench, in the recorder's shape (doc/history.md): a zstd frame
# (header, keyframe, rounds) every 600 s, a round every second, every host's
# CPU, memory, load and sample time changing every round.
OUT=sys.argv[1]; HOURS=float(sys.argv[2]) if len(sys.argv) > 2 else 10
N=int(sys.argv[3]) if len(sys.argv) > 3 else 20
T0=1796200000.0; FRAME=600
conf="[fleet night]\n"+"".join(f"[host h{i:02d}]\n" for i in range(N))
hosts=[{"name":f"h{i:02d}","interval":1} for i in range(N)]
random.seed(1)
out=open(OUT,"wb")
t=T0; end=T0+HOURS*3600
while t < end:
    lines=[json.dumps({"k":"fdrec","t":t,"v":1,"fleet":"night","fleetdeck":"0.1.0","conf":conf,"hosts":hosts})]
    key={f"h{i:02d}":{"conn":1,"sampled_at":-0.3,"valid":2047,"load":[0.5,0.4,0.3],"cpu_pct":10.0,"mem_total":33554432000,"mem_available":20000000000,"kernel":"6.1.0","disks":[{"mount":"/","valid":True,"used_pct":50}]} for i in range(N)}
    lines.append(json.dumps({"k":"key","t":t,"hosts":key}))
    fe=min(t+FRAME,end); t+=1
    while t < fe:
        r={f"h{i:02d}":{"sampled_at":-round(random.random()*0.5,3),"cpu_pct":round(random.random()*100,3),"mem_available":20000000000+random.randrange(10**9),"load":[round(random.random()*4,2),0.4,0.3]} for i in range(N)}
        lines.append(json.dumps({"k":"round","t":t,"hosts":r}))
        t+=1
    out.write(subprocess.run(["zstd","-3","-q","-c"],input=("\n".join(lines)+"\n").encode(),capture_output=True,check=True).stdout)
out.close()
