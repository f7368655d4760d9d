import time, subprocess
from prefs_harness import Demo, Fake, enable_accessibility
enable_accessibility()
fake=Fake(); fake.create_album('Birthday')
d = Demo('preferences', size='720x1320')
d.type_into('Server URL', fake.url); d.type_into('API Key', 'secret')
d.press('Test Connection'); d.find_label('Connected')
print('pressing upload', flush=True)
b = d.find('push button', 'Test Upload')
import threading
threading.Thread(target=lambda: b.doActionNamed('click'), daemon=True).start()
time.sleep(6)
print(subprocess.run(['gdb','-p',str(d.proc.pid),'-batch','-ex','thread apply all bt 12'],capture_output=True,text=True).stdout[-6000:])
d.stop()
