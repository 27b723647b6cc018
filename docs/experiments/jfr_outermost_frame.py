#!/usr/bin/env python3
"""Share of a JFR recording's execution samples per outermost Lethe frame (BENCHMARKS runs N and Q).

usage: jfr_outermost_frame.py RECORDING.jfr THREAD_NAME_PART
Each sample of a thread whose name contains THREAD_NAME_PART (e.g. StreamThread) is counted under the outermost
dev.lethe frame on its stack (Kafka Streams' own frames when there is none), and split by whether a store call
(MeteredKeyValueStore) or a record send is beneath it. Needs the JDK's `jfr` tool (JAVA_HOME or PATH).
"""
import collections, json, os, shutil, subprocess, sys
f,th=sys.argv[1],sys.argv[2]
J=os.path.join(os.environ['JAVA_HOME'],'bin','jfr') if os.environ.get('JAVA_HOME') else shutil.which('jfr')
if not J or not os.path.exists(J):
    sys.exit('no jfr tool: set JAVA_HOME to a JDK or put its bin on PATH')
ev=json.loads(subprocess.run([J,'print','--json','--stack-depth','200','--events','jdk.ExecutionSample',f],capture_output=True,text=True).stdout)['recording']['events']
tot=0;c=collections.Counter()
for e in ev:
    t=e['values']['sampledThread']; name=(t.get('javaName') or t.get('osName') or '')
    if th not in name: continue
    tot+=1
    fr=e['values']['stackTrace']['frames']
    names=[x['method']['type']['name'].split('/')[-1]+'.'+x['method']['name'] for x in fr]
    full=[x['method']['type']['name'] for x in fr]
    outer=None
    for i in range(len(fr)-1,-1,-1):
        if full[i].startswith('dev/lethe') and 'bench' not in full[i]: outer=names[i];break
    if outer is None:
        for m in ['TaskExecutor.commit','pollRequests','punctuate','SinkNode','SourceNode','RecordQueue']:
            if any(m in n for n in names): outer='[streams] '+m;break
        else: outer='[streams] other'
    sub='store' if any(n.startswith('MeteredKeyValueStore') for n in names) else ('send' if any('RecordCollectorImpl.send' in n for n in names) else 'own')
    c[(outer,sub)]+=1
if tot==0:
    sys.exit('no execution samples of a thread named *'+th+'*')
agg=collections.Counter()
for (o,s),v in c.items(): agg[o]+=v
for o,v in agg.most_common(20):
    print(f'{v*100/tot:5.1f}% {o}  ['+', '.join(f'{s} {c[(o,s)]*100/tot:.1f}' for s in ['own','store','send'] if c[(o,s)])+']')
